package dev.kairos.sdk.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A generation that failed: refused (with the server's status and message) or broken off. */
public final class GenerationException extends RuntimeException {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final int status;

  public GenerationException(int status, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  /** The HTTP status the server answered; 0 when there was no answer. */
  public int status() {
    return status;
  }

  /** The error of an answer that is not 200, its message read from OpenAI's or OIP's format. */
  static GenerationException of(int status, String body, String what) {
    String message = body;
    try {
      JsonNode e = JSON.readTree(body).get("error");
      if (e != null) {
        message = e.isObject() ? e.path("message").asText() : e.asText();
      }
    } catch (java.io.IOException | RuntimeException ignored) {
      // not JSON: the body as it came
    }
    return new GenerationException(status, what + ": HTTP " + status + ": " + message, null);
  }
}
