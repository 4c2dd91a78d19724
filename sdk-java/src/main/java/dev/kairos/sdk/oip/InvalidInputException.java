package dev.kairos.sdk.oip;

/**
 * The client sent something the protocol or the model's signature does not accept. Maps to HTTP 400
 * (gRPC INVALID_ARGUMENT); the message names what was wrong and is safe to show to the client.
 */
public class InvalidInputException extends RuntimeException {
  public InvalidInputException(String message) {
    super(message, null, false, false);
  }

  public InvalidInputException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
