package dev.kairos.runtime.buffer;

/** The process has no direct memory left for a request's data: an overload, answered 503. */
public final class DirectMemoryExhaustedException extends RuntimeException {
  public DirectMemoryExhaustedException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
