package dev.kairos.generative.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.generative.GenerationException.InvalidRequest;
import dev.kairos.generative.GenerationRequest;
import dev.kairos.generative.api.ChatTemplate.ChatMessage;
import dev.kairos.generative.sample.SamplingParams;
import dev.kairos.generative.text.GptTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads and validates the bodies of OpenAI's {@code /v1/completions} and {@code
 * /v1/chat/completions} and Triton's {@code generate}: every error names the field, its value and
 * the rule. Fields these APIs define that Kairos does not use (such as {@code user}) are ignored.
 */
public final class RequestReader {
  /** OpenAI's default {@code max_tokens} for completions. */
  static final int COMPLETION_MAX_TOKENS = 16;

  private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant");
  private static final int MAX_STOPS = 4;

  private final String model;
  private final GptTokenizer tokenizer;
  private final int contextLength;
  private final ChatTemplate template;

  public RequestReader(
      String model, GptTokenizer tokenizer, int contextLength, ChatTemplate template) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.contextLength = contextLength;
    this.template = template;
  }

  /** {@code POST /v1/completions}. */
  public ParsedRequest completion(JsonNode body, long deadlineNanos) {
    object(body);
    checkModel(body);
    JsonNode p = body.get("prompt");
    int[] prompt;
    if (p == null || p.isNull()) {
      throw new InvalidRequest("prompt is missing");
    } else if (p.isTextual()) {
      prompt = tokenizer.encode(p.asText());
    } else if (p.isArray() && p.size() == 1 && p.get(0).isTextual()) {
      prompt = tokenizer.encode(p.get(0).asText());
    } else if (p.isArray() && p.size() > 0 && p.get(0).isInt()) {
      prompt = tokenIds(p);
    } else if (p.isArray() && p.size() > 1) {
      throw new InvalidRequest("prompt has " + p.size() + " prompts, only one per request");
    } else {
      throw new InvalidRequest("prompt must be a string or an array of token ids");
    }
    return read(body, prompt, COMPLETION_MAX_TOKENS, List.of(), deadlineNanos, true);
  }

  /** {@code POST /v1/chat/completions}. */
  public ParsedRequest chat(JsonNode body, long deadlineNanos) {
    object(body);
    checkModel(body);
    JsonNode ms = body.get("messages");
    if (ms == null || !ms.isArray()) {
      throw new InvalidRequest("messages must be an array of {role, content}");
    }
    if (ms.isEmpty()) {
      throw new InvalidRequest("messages is empty, must hold at least one message");
    }
    List<ChatMessage> messages = new ArrayList<>();
    for (int i = 0; i < ms.size(); i++) {
      JsonNode m = ms.get(i);
      String at = "messages[" + i + "]";
      if (!m.isObject()) {
        throw new InvalidRequest(at + " must be an object {role, content}");
      }
      JsonNode role = m.get("role");
      if (role == null || !role.isTextual() || !ROLES.contains(role.asText())) {
        throw new InvalidRequest(
            at + ".role = " + role + ", must be one of [system, developer, user, assistant]");
      }
      String content = content(m.get("content"), at);
      if (content.isEmpty()) {
        throw new InvalidRequest(at + ".content is empty");
      }
      messages.add(new ChatMessage(role.asText(), content));
    }
    int[] prompt = tokenizer.encode(template.render(messages));
    int maxTokens = Math.max(1, contextLength - prompt.length);
    return read(body, prompt, maxTokens, List.of(template.endOfTurn()), deadlineNanos, true);
  }

  /** Triton's {@code generate} and {@code generate_stream}: {@code text_input} and parameters. */
  public ParsedRequest generate(JsonNode body, boolean stream, long deadlineNanos) {
    object(body);
    JsonNode text = body.get("text_input");
    if (text == null || !text.isTextual()) {
      throw new InvalidRequest("text_input must be a string");
    }
    if (text.asText().isEmpty()) {
      throw new InvalidRequest("text_input is empty");
    }
    // Triton passes sampling settings at the top level or under "parameters".
    JsonNode params = body.get("parameters");
    if (params != null && !params.isNull() && !params.isObject()) {
      throw new InvalidRequest("parameters must be an object");
    }
    com.fasterxml.jackson.databind.node.ObjectNode merged = body.deepCopy();
    if (params != null && params.isObject()) {
      merged.setAll((com.fasterxml.jackson.databind.node.ObjectNode) params);
    }
    merged.put("stream", stream);
    if (merged.has("stop_words") && !merged.has("stop")) {
      merged.set("stop", merged.get("stop_words"));
    }
    return read(
        merged,
        tokenizer.encode(text.asText()),
        COMPLETION_MAX_TOKENS,
        List.of(),
        deadlineNanos,
        false);
  }

  private ParsedRequest read(
      JsonNode body,
      int[] prompt,
      int defaultMaxTokens,
      List<String> extraStops,
      long deadlineNanos,
      boolean openAi) {
    if (prompt.length == 0) {
      throw new InvalidRequest("prompt is empty");
    }
    if (prompt.length >= contextLength) {
      throw new InvalidRequest(
          "prompt is "
              + prompt.length
              + " tokens, the model's context length is "
              + contextLength
              + " (prompt and output together)");
    }
    String maxField = body.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
    int maxTokens = integer(body, maxField, defaultMaxTokens, 1);
    if (maxTokens > contextLength) {
      throw new InvalidRequest(
          maxField + " = " + maxTokens + ", exceeds the context length of " + contextLength);
    }
    if (!body.has(maxField) || body.get(maxField).isNull()) {
      maxTokens = Math.min(maxTokens, contextLength - prompt.length);
    }
    int n = integer(body, "n", 1, 1);
    if (n != 1) {
      throw new InvalidRequest("n = " + n + ", only 1 is supported");
    }
    double temperature = number(body, "temperature", openAi ? 1.0 : 0.0);
    if (temperature < 0) {
      throw new InvalidRequest("temperature = " + temperature + ", must be >= 0");
    }
    double topP = number(body, "top_p", 1.0);
    if (!(topP > 0 && topP <= 1)) {
      throw new InvalidRequest("top_p = " + topP + ", must be in (0, 1]");
    }
    int topK = integer(body, "top_k", 0, -1);
    if (topK < 0) {
      // vLLM spells "no limit" as -1.
      topK = 0;
    }
    Long seed = null;
    JsonNode s = body.get("seed");
    if (s != null && !s.isNull()) {
      if (!s.canConvertToLong() || !s.isIntegralNumber()) {
        throw new InvalidRequest("seed = " + s + ", must be an integer");
      }
      seed = s.asLong();
    }
    List<String> stops = new ArrayList<>(stops(body.get("stop")));
    stops.addAll(extraStops);
    boolean stream = bool(body, "stream", false);
    boolean includeUsage = false;
    JsonNode so = body.get("stream_options");
    if (so != null && !so.isNull()) {
      if (!so.isObject()) {
        throw new InvalidRequest("stream_options must be an object");
      }
      if (!stream) {
        throw new InvalidRequest("stream_options is only allowed when stream is true");
      }
      includeUsage = bool(so, "include_usage", false);
    }
    boolean ignoreEos = bool(body, "ignore_eos", false);
    return new ParsedRequest(
        new GenerationRequest(
            prompt,
            maxTokens,
            new SamplingParams(temperature, topK, topP, seed),
            stops,
            ignoreEos,
            deadlineNanos),
        stream,
        includeUsage);
  }

  private void checkModel(JsonNode body) {
    JsonNode m = body.get("model");
    if (m != null && !m.isNull() && !(m.isTextual() && m.asText().equals(model))) {
      throw new InvalidRequest("model = " + m + ", this endpoint serves '" + model + "'");
    }
  }

  private int[] tokenIds(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode t = array.get(i);
      if (!t.isInt() || t.asInt() < 0 || t.asInt() >= GptTokenizer.END_OF_TEXT + 1) {
        throw new InvalidRequest(
            "prompt["
                + i
                + "] = "
                + t
                + ", must be a token id in [0, "
                + GptTokenizer.END_OF_TEXT
                + "]");
      }
      out[i] = t.asInt();
    }
    return out;
  }

  private static String content(JsonNode c, String at) {
    if (c != null && c.isTextual()) {
      return c.asText();
    }
    if (c != null && c.isArray()) {
      // OpenAI's content parts: only text parts can reach a text model.
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < c.size(); i++) {
        JsonNode part = c.get(i);
        if (!part.isObject()
            || !"text".equals(part.path("type").asText())
            || !part.path("text").isTextual()) {
          throw new InvalidRequest(at + ".content[" + i + "] must be {type: text, text: string}");
        }
        out.append(part.get("text").asText());
      }
      return out.toString();
    }
    throw new InvalidRequest(at + ".content must be a string");
  }

  private static List<String> stops(JsonNode stop) {
    if (stop == null || stop.isNull()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    if (stop.isTextual()) {
      out.add(stop.asText());
    } else if (stop.isArray()) {
      if (stop.size() > MAX_STOPS) {
        throw new InvalidRequest("stop has " + stop.size() + " sequences, at most " + MAX_STOPS);
      }
      for (JsonNode s : stop) {
        if (!s.isTextual()) {
          throw new InvalidRequest("stop must be a string or an array of strings");
        }
        out.add(s.asText());
      }
    } else {
      throw new InvalidRequest("stop must be a string or an array of strings");
    }
    for (String s : out) {
      if (s.isEmpty()) {
        throw new InvalidRequest("stop holds an empty string");
      }
    }
    return out;
  }

  private static void object(JsonNode body) {
    if (body == null || !body.isObject()) {
      throw new InvalidRequest("the body must be a JSON object");
    }
  }

  private static int integer(JsonNode body, String field, int dflt, int min) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt()) {
      throw new InvalidRequest(field + " = " + n + ", must be an integer");
    }
    if (n.asInt() < min) {
      throw new InvalidRequest(field + " = " + n.asInt() + ", must be >= " + min);
    }
    return n.asInt();
  }

  private static double number(JsonNode body, String field, double dflt) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.isNumber() || !Double.isFinite(n.asDouble())) {
      throw new InvalidRequest(field + " = " + n + ", must be a finite number");
    }
    return n.asDouble();
  }

  private static boolean bool(JsonNode body, String field, boolean dflt) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.isBoolean()) {
      throw new InvalidRequest(field + " = " + n + ", must be true or false");
    }
    return n.asBoolean();
  }
}
