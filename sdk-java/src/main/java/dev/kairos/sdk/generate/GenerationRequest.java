package dev.kairos.sdk.generate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kairos.sdk.oip.OipPath;
import java.util.Objects;

/**
 * A streamed generation from a text-generation model, over one of the APIs Kairos serves: OpenAI's
 * completions or chat, or Triton's generate_stream. Immutable; the {@code with} methods return a
 * copy.
 */
public final class GenerationRequest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The API a request is sent to. */
  public enum Api {
    /** {@code POST /v1/completions}: the prompt is continued. */
    COMPLETION,
    /** {@code POST /v1/chat/completions}: the prompt is one user message. */
    CHAT,
    /** {@code POST /v2/models/{m}/generate_stream} (Triton's generate extension). */
    GENERATE
  }

  private final Api api;
  private final String model;
  private final String prompt;
  private final Integer maxTokens;
  private final Double temperature;
  private final Long seed;

  private GenerationRequest(
      Api api, String model, String prompt, Integer maxTokens, Double temperature, Long seed) {
    this.api = Objects.requireNonNull(api, "api");
    if (!OipPath.isValidName(model)) {
      throw new IllegalArgumentException("model = '" + model + "', not a valid model name");
    }
    this.model = model;
    this.prompt = Objects.requireNonNull(prompt, "prompt");
    this.maxTokens = maxTokens;
    this.temperature = temperature;
    this.seed = seed;
  }

  /** A request to continue {@code prompt} with {@code model}, over {@code api}. */
  public static GenerationRequest of(Api api, String model, String prompt) {
    return new GenerationRequest(api, model, prompt, null, null, null);
  }

  /** At most this many tokens are generated (the server's default otherwise). */
  public GenerationRequest withMaxTokens(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("maxTokens = " + n + ", must be >= 1");
    }
    return new GenerationRequest(api, model, prompt, n, temperature, seed);
  }

  /** Sampling temperature; 0 is greedy. */
  public GenerationRequest withTemperature(double t) {
    if (!(t >= 0) || Double.isInfinite(t)) {
      throw new IllegalArgumentException("temperature = " + t + ", must be >= 0");
    }
    return new GenerationRequest(api, model, prompt, maxTokens, t, seed);
  }

  /** A seed: the same request with the same seed samples the same tokens. */
  public GenerationRequest withSeed(long s) {
    return new GenerationRequest(api, model, prompt, maxTokens, temperature, s);
  }

  public Api api() {
    return api;
  }

  public String model() {
    return model;
  }

  /** The request path on the server. */
  public String path() {
    return switch (api) {
      case COMPLETION -> "/v1/completions";
      case CHAT -> "/v1/chat/completions";
      case GENERATE -> "/v2/models/" + model + "/generate_stream";
    };
  }

  /** The JSON body, asking for a stream. */
  public byte[] body() {
    ObjectNode b = JSON.createObjectNode();
    ObjectNode params = b;
    switch (api) {
      case COMPLETION -> b.put("model", model).put("prompt", prompt).put("stream", true);
      case CHAT -> {
        b.put("model", model).put("stream", true);
        b.putArray("messages").addObject().put("role", "user").put("content", prompt);
      }
      case GENERATE -> {
        b.put("text_input", prompt);
        params = b.putObject("parameters");
      }
    }
    if (maxTokens != null) {
      params.put("max_tokens", maxTokens);
    }
    if (temperature != null) {
      params.put("temperature", temperature);
    }
    if (seed != null) {
      params.put("seed", seed);
    }
    try {
      return JSON.writeValueAsBytes(b);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
