package dev.kairos.generative.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kairos.generative.FinishReason;

/** Triton's generate extension: the body of {@code generate}, the events of generate_stream. */
public final class TritonFormat {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String model;
  private final String version;

  public TritonFormat(String model, String version) {
    this.model = model;
    this.version = version;
  }

  /** The answer of {@code generate}, or one event of {@code generate_stream} (its new text). */
  public String output(String text, FinishReason reason) {
    ObjectNode out = JSON.createObjectNode();
    out.put("model_name", model);
    out.put("model_version", version);
    out.put("text_output", text);
    if (reason != null) {
      out.put("finish_reason", reason.wire());
    }
    return out.toString();
  }

  /** Kairos' error body, also the last event of a stream that fails. */
  public static String error(String message) {
    ObjectNode out = JSON.createObjectNode();
    out.put("error", message);
    return out.toString();
  }
}
