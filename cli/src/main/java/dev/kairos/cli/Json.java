package dev.kairos.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The little JSON reading the CLI commands need. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  static JsonNode read(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("the server answered something that is not JSON: " + text);
    }
  }

  /** The {@code error} of an error body, or the body itself. */
  static String errorOf(String body) {
    try {
      JsonNode n = MAPPER.readTree(body);
      if (n != null && n.hasNonNull("error")) {
        return n.get("error").asText();
      }
    } catch (java.io.IOException ignored) {
      // not JSON
    }
    return body == null || body.isBlank() ? "(no message)" : body;
  }
}
