package dev.kairos.sdk.model;

/**
 * How a text-generation model ({@code task: text-generation}) is served: its tokenizer and the
 * limits of its token scheduler.
 *
 * @param tokenizer the tokenizer, top-level {@code tokenizer:} (default {@code gpt2}: GPT-2's BPE)
 * @param contextLength most tokens in a sequence, prompt and output (default 1024, GPT-2's)
 * @param blockSize tokens per KV-cache block (default 16)
 * @param kvCacheBytes memory for the KV cache, {@code kvCacheMemory} (default 256Mi)
 * @param maxRunning most sequences decoding together (default 16)
 * @param maxWaiting most requests queued for admission; more are answered 503 (default 256)
 * @param prefillChunk most prompt tokens computed per step (default 512)
 * @param chatTemplate how chat messages become a prompt: {@code chatml} (default) or {@code plain}
 */
public record GenerationConfig(
    String tokenizer,
    int contextLength,
    int blockSize,
    long kvCacheBytes,
    int maxRunning,
    int maxWaiting,
    int prefillChunk,
    String chatTemplate) {
  public static final GenerationConfig DEFAULT =
      new GenerationConfig("gpt2", 1024, 16, 256L << 20, 16, 256, 512, "chatml");

  /**
   * @throws InvalidKnobException naming the first field that breaks its rule
   */
  public GenerationConfig {
    if (!"gpt2".equals(tokenizer)) {
      throw new InvalidKnobException("tokenizer", "'" + tokenizer + "'", "must be one of [gpt2]");
    }
    within("contextLength", contextLength, 1, 1 << 20);
    within("blockSize", blockSize, 1, 4096);
    if (kvCacheBytes <= 0) {
      throw new InvalidKnobException("kvCacheMemory", kvCacheBytes, "must be > 0");
    }
    within("maxRunning", maxRunning, 1, 4096);
    within("maxWaiting", maxWaiting, 1, 1_000_000);
    within("prefillChunk", prefillChunk, 1, 1 << 20);
    if (!"chatml".equals(chatTemplate) && !"plain".equals(chatTemplate)) {
      throw new InvalidKnobException(
          "chatTemplate", "'" + chatTemplate + "'", "must be one of [chatml, plain]");
    }
  }

  private static void within(String knob, int value, int min, int max) {
    if (value < min || value > max) {
      throw new InvalidKnobException(knob, value, "must be between " + min + " and " + max);
    }
  }
}
