package dev.kairos.runtime.server;

/** The request body exceeds the configured limit: answered 413. */
final class PayloadTooLargeException extends RuntimeException {
  PayloadTooLargeException(String message) {
    super(message, null, false, false);
  }
}
