package dev.kairos.runtime.core;

/** The replica's queue is full: answered 503 with Retry-After at once. Cheap: no stack trace. */
public final class OverloadedException extends RuntimeException {
  public OverloadedException(String message) {
    super(message, null, false, false);
  }
}
