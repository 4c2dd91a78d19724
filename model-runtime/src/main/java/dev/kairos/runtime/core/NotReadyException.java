package dev.kairos.runtime.core;

/** The model version is unloaded or still loading: answered 503 with Retry-After. */
public final class NotReadyException extends RuntimeException {
  public NotReadyException(String message) {
    super(message, null, false, false);
  }
}
