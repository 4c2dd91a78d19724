package dev.kairos.generative;

/**
 * Where a sequence's output goes, called on the engine's thread in order: any number of {@link
 * #onText}, then exactly one of {@link #onFinish} or {@link #onError}. Implementations hand off to
 * their own thread (an event loop) and return at once: the whole batch waits on them.
 */
public interface TokenSink {
  /**
   * A new token and the text it released (empty while a character or a possible stop sequence is
   * incomplete).
   */
  void onText(String delta, int token);

  void onFinish(FinishReason reason, Usage usage);

  /** The sequence ended without finishing: deadline passed, or the engine failed. */
  void onError(GenerationException error, Usage usage);

  /**
   * Token counts of one sequence.
   *
   * @param promptTokens tokens in the prompt
   * @param completionTokens tokens generated
   */
  record Usage(int promptTokens, int completionTokens) {
    public int totalTokens() {
      return promptTokens + completionTokens;
    }
  }
}
