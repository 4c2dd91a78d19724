package dev.kairos.generative.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kairos.generative.FinishReason;
import dev.kairos.generative.TokenSink.Usage;

/** The bodies and stream chunks of OpenAI's completions and chat completions, for one response. */
public final class OpenAiFormat {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String id;
  private final long created;
  private final String model;
  private final boolean chat;

  /**
   * @param id the response id ({@code cmpl-...} or {@code chatcmpl-...})
   * @param createdSeconds creation time, seconds since the epoch
   */
  public OpenAiFormat(String id, long createdSeconds, String model, boolean chat) {
    this.id = id;
    this.created = createdSeconds;
    this.model = model;
    this.chat = chat;
  }

  /** The whole answer of a request that did not stream. */
  public String full(String text, FinishReason reason, Usage usage) {
    ObjectNode out = head(chat ? "chat.completion" : "text_completion");
    ObjectNode choice = out.putArray("choices").addObject();
    choice.put("index", 0);
    if (chat) {
      ObjectNode message = choice.putObject("message");
      message.put("role", "assistant");
      message.put("content", text);
    } else {
      choice.put("text", text);
    }
    choice.putNull("logprobs");
    choice.put("finish_reason", reason.wire());
    usage(out, usage);
    return out.toString();
  }

  /** The first chunk of a chat stream: the assistant's role, no content yet. */
  public String roleChunk() {
    ObjectNode out = head("chat.completion.chunk");
    ObjectNode choice = out.putArray("choices").addObject();
    choice.put("index", 0);
    choice.putObject("delta").put("role", "assistant").put("content", "");
    choice.putNull("logprobs");
    choice.putNull("finish_reason");
    return out.toString();
  }

  /** A chunk of new text; {@code reason} is null until the last one. */
  public String chunk(String delta, FinishReason reason) {
    ObjectNode out = head(chat ? "chat.completion.chunk" : "text_completion");
    ObjectNode choice = out.putArray("choices").addObject();
    choice.put("index", 0);
    if (chat) {
      ObjectNode d = choice.putObject("delta");
      if (reason == null || !delta.isEmpty()) {
        d.put("content", delta);
      }
    } else {
      choice.put("text", delta);
    }
    choice.putNull("logprobs");
    if (reason == null) {
      choice.putNull("finish_reason");
    } else {
      choice.put("finish_reason", reason.wire());
    }
    return out.toString();
  }

  /** {@code stream_options.include_usage}: the last chunk, with no choices and the usage. */
  public String usageChunk(Usage usage) {
    ObjectNode out = head(chat ? "chat.completion.chunk" : "text_completion");
    out.putArray("choices");
    usage(out, usage);
    return out.toString();
  }

  /** OpenAI's error body, also sent as the last event of a stream that fails. */
  public static String error(String message, String type) {
    ObjectNode out = JSON.createObjectNode();
    ObjectNode e = out.putObject("error");
    e.put("message", message);
    e.put("type", type);
    e.putNull("param");
    e.putNull("code");
    return out.toString();
  }

  /** {@code GET /v1/models}. */
  public static String models(String model, long createdSeconds) {
    ObjectNode out = JSON.createObjectNode();
    out.put("object", "list");
    ObjectNode m = out.putArray("data").addObject();
    m.put("id", model);
    m.put("object", "model");
    m.put("created", createdSeconds);
    m.put("owned_by", "kairos");
    return out.toString();
  }

  private ObjectNode head(String object) {
    ObjectNode out = JSON.createObjectNode();
    out.put("id", id);
    out.put("object", object);
    out.put("created", created);
    out.put("model", model);
    return out;
  }

  private static void usage(ObjectNode out, Usage usage) {
    ObjectNode u = out.putObject("usage");
    u.put("prompt_tokens", usage.promptTokens());
    u.put("completion_tokens", usage.completionTokens());
    u.put("total_tokens", usage.totalTokens());
  }
}
