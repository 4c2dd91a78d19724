package dev.kairos.generative;

/**
 * The engine's limits.
 *
 * @param contextLength most tokens in a sequence, prompt and generation together
 * @param blockSize tokens per KV block
 * @param kvBlocks blocks in the KV pool (the null block not counted); at least one full context
 * @param maxRunning most sequences in the running batch
 * @param maxWaiting most sequences queued before admission; more are answered busy
 * @param prefillChunk most prompt tokens computed in one step
 * @param threads ONNX Runtime intra-op threads (0: its default)
 */
public record EngineConfig(
    int contextLength,
    int blockSize,
    int kvBlocks,
    int maxRunning,
    int maxWaiting,
    int prefillChunk,
    int threads) {
  public EngineConfig {
    positive("contextLength", contextLength);
    positive("blockSize", blockSize);
    positive("maxRunning", maxRunning);
    positive("maxWaiting", maxWaiting);
    positive("prefillChunk", prefillChunk);
    int context = Sequence.blocksFor(contextLength, blockSize);
    if (kvBlocks < context) {
      throw new IllegalArgumentException(
          "kvBlocks = "
              + kvBlocks
              + ", must hold one full context ("
              + context
              + " blocks of "
              + blockSize
              + " tokens)");
    }
  }

  private static void positive(String field, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(field + " = " + value + ", must be >= 1");
    }
  }
}
