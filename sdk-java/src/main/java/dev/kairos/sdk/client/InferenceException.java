package dev.kairos.sdk.client;

/**
 * An inference call failed. {@link #status()} is the HTTP status the server answered (0 when no
 * answer came) and the message is the server's own {@code error} text, prefixed with the model.
 * Subclasses name the cases a caller usually handles differently.
 */
public class InferenceException extends RuntimeException {
  private final int status;
  private final String serverMessage;

  public InferenceException(int status, String serverMessage, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.serverMessage = serverMessage;
  }

  /** The HTTP status, or 0 when the server did not answer. */
  public int status() {
    return status;
  }

  /** The server's {@code error} text as it sent it, or null when the server did not answer. */
  public String serverMessage() {
    return serverMessage;
  }

  /** The exception for an error answer, chosen by status. */
  static InferenceException of(int status, String serverMessage, String what) {
    String message = what + ": HTTP " + status + ": " + serverMessage;
    return switch (status) {
      case 400, 413, 422 -> new InvalidRequestException(status, serverMessage, message);
      case 401, 403 -> new UnauthorizedException(status, serverMessage, message);
      case 404 -> new ModelNotFoundException(status, serverMessage, message);
      case 429, 503 -> new ServiceUnavailableException(status, serverMessage, message);
      case 504 -> new InferenceTimeoutException(status, serverMessage, message, null);
      default -> new InferenceException(status, serverMessage, message, null);
    };
  }

  /** The request was refused as it stands (400, 413): fix the request, do not retry it. */
  public static final class InvalidRequestException extends InferenceException {
    InvalidRequestException(int status, String serverMessage, String message) {
      super(status, serverMessage, message, null);
    }
  }

  /** The server does not know the model or version (404). */
  public static final class ModelNotFoundException extends InferenceException {
    ModelNotFoundException(int status, String serverMessage, String message) {
      super(status, serverMessage, message, null);
    }
  }

  /** Missing or wrong credentials (401, 403). */
  public static final class UnauthorizedException extends InferenceException {
    UnauthorizedException(int status, String serverMessage, String message) {
      super(status, serverMessage, message, null);
    }
  }

  /** Still overloaded or not ready (503, 429) after every retry the client was allowed. */
  public static final class ServiceUnavailableException extends InferenceException {
    ServiceUnavailableException(int status, String serverMessage, String message) {
      super(status, serverMessage, message, null);
    }
  }

  /** The call's deadline passed: the client's timeout ({@link #status()} 0) or the server's 504. */
  public static final class InferenceTimeoutException extends InferenceException {
    InferenceTimeoutException(int status, String serverMessage, String message, Throwable cause) {
      super(status, serverMessage, message, cause);
    }
  }

  /** No answer: the connection was refused or broken. */
  public static final class ConnectionException extends InferenceException {
    ConnectionException(String message, Throwable cause) {
      super(0, null, message, cause);
    }
  }
}
