package dev.kairos.generative.api;

import java.util.List;

/**
 * How chat messages become one prompt. A model names its own in {@code model.yaml} ({@code
 * generation: {chatTemplate: chatml}}); the template also says which text ends the assistant's
 * turn, so generation stops there.
 */
public enum ChatTemplate {
  /**
   * ChatML, as OpenAI published it: {@code <|im_start|>role\ncontent<|im_end|>\n} per message, then
   * {@code <|im_start|>assistant\n}. With GPT-2's tokenizer the markers are ordinary text.
   */
  CHATML("<|im_end|>") {
    @Override
    public String render(List<ChatMessage> messages) {
      StringBuilder out = new StringBuilder();
      for (ChatMessage m : messages) {
        out.append("<|im_start|>").append(m.role()).append('\n').append(m.content());
        out.append("<|im_end|>\n");
      }
      return out.append("<|im_start|>assistant\n").toString();
    }
  },
  /**
   * {@code role: content} lines, then {@code assistant:}; for base models trained on plain text.
   */
  PLAIN("\nuser:") {
    @Override
    public String render(List<ChatMessage> messages) {
      StringBuilder out = new StringBuilder();
      for (ChatMessage m : messages) {
        out.append(m.role()).append(": ").append(m.content()).append('\n');
      }
      return out.append("assistant:").toString();
    }
  };

  private final String endOfTurn;

  ChatTemplate(String endOfTurn) {
    this.endOfTurn = endOfTurn;
  }

  public abstract String render(List<ChatMessage> messages);

  /** The text that ends the assistant's turn: a stop sequence of every chat request. */
  public String endOfTurn() {
    return endOfTurn;
  }

  /** The template a {@code model.yaml} names ({@code chatml} or {@code plain}). */
  public static ChatTemplate named(String name) {
    return valueOf(name.toUpperCase(java.util.Locale.ROOT));
  }

  /** One chat message. */
  public record ChatMessage(String role, String content) {}
}
