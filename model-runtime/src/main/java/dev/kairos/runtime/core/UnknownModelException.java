package dev.kairos.runtime.core;

/** The request names a model or version this replica does not serve: answered 404. */
public final class UnknownModelException extends RuntimeException {
  public UnknownModelException(String message) {
    super(message, null, false, false);
  }
}
