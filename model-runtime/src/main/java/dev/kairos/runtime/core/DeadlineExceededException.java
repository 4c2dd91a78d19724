package dev.kairos.runtime.core;

/** The request's deadline passed before it could run: answered 504, the model never saw it. */
public final class DeadlineExceededException extends RuntimeException {
  public DeadlineExceededException(String message) {
    super(message, null, false, false);
  }
}
