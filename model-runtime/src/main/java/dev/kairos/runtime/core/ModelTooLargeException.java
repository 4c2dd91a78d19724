package dev.kairos.runtime.core;

/** A model version takes more memory than its runtime host's whole budget: it cannot be loaded. */
public class ModelTooLargeException extends RuntimeException {
  public ModelTooLargeException(String message) {
    super(message, null, false, false);
  }
}
