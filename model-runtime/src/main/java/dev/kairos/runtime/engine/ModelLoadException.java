package dev.kairos.runtime.engine;

/** A model version could not be loaded; the message says why in the user's terms. */
public class ModelLoadException extends RuntimeException {
  public ModelLoadException(String message) {
    super(message);
  }

  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
