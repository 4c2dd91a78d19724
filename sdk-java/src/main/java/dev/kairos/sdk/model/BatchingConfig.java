package dev.kairos.sdk.model;

import java.time.Duration;
import java.util.List;

/**
 * Dynamic batching of one model version. Validated when constructed, whoever constructs it ({@code
 * model.yaml}, {@code serving.properties}, a test), so no invalid one exists: the message names the
 * field, the value and the rule, e.g. {@code maxBatchSize = 0, must be between 1 and 4096}; callers
 * add where it came from.
 *
 * @param maxBatchSize largest batch handed to the engine, 1 to {@value #MAX_BATCH_SIZE}; 1 turns
 *     batching off (default 1)
 * @param maxQueueDelay longest a request waits for others to join its batch, 0s to 1h (default 0)
 * @param maxQueueSize requests waiting beyond this are rejected with 503, 1 to {@value
 *     #MAX_QUEUE_SIZE} (default 256)
 * @param preferredBatchSizes sizes the batcher dispatches at as soon as it reaches them, each 1 to
 *     {@code maxBatchSize} (default none)
 * @throws InvalidKnobException naming the first field that breaks its rule
 */
public record BatchingConfig(
    int maxBatchSize, Duration maxQueueDelay, int maxQueueSize, List<Integer> preferredBatchSizes) {
  /** The largest {@code maxBatchSize}. */
  public static final int MAX_BATCH_SIZE = 4096;

  /** The largest {@code maxQueueSize}. */
  public static final int MAX_QUEUE_SIZE = 1_000_000;

  private static final Duration MAX_QUEUE_DELAY = Duration.ofHours(1);

  public static final BatchingConfig DEFAULT = new BatchingConfig(1, Duration.ZERO, 256, List.of());

  public BatchingConfig {
    between("maxBatchSize", maxBatchSize, 1, MAX_BATCH_SIZE);
    if (maxQueueDelay == null
        || maxQueueDelay.isNegative()
        || maxQueueDelay.compareTo(MAX_QUEUE_DELAY) > 0) {
      throw new InvalidKnobException(
          "maxQueueDelay",
          maxQueueDelay == null
              ? "nothing"
              : maxQueueDelay.isNegative()
                  ? maxQueueDelay.toString()
                  : Durations.format(maxQueueDelay),
          "must be between 0s and 1h");
    }
    between("maxQueueSize", maxQueueSize, 1, MAX_QUEUE_SIZE);
    if (preferredBatchSizes == null) {
      throw new InvalidKnobException("preferredBatchSizes", "nothing", "must be a list");
    }
    preferredBatchSizes = List.copyOf(preferredBatchSizes);
    for (int size : preferredBatchSizes) {
      if (size < 1 || size > maxBatchSize) {
        throw new InvalidKnobException(
            "preferredBatchSizes",
            preferredBatchSizes,
            "each must be between 1 and maxBatchSize (" + maxBatchSize + ")");
      }
    }
  }

  public boolean enabled() {
    return maxBatchSize > 1;
  }

  /**
   * How many requests one replica admits at once: its queue plus the batches its workers run. A
   * replica refuses the next one with 503, and the gateway sends it no more than this.
   *
   * @param workers batches the replica runs at once
   */
  public int admissionLimit(int workers) {
    return maxQueueSize + maxBatchSize * workers;
  }

  private static void between(String field, int v, int min, int max) {
    if (v < min || v > max) {
      throw new InvalidKnobException(field, v, "must be between " + min + " and " + max);
    }
  }
}
