package dev.kairos.sdk.model;

import java.time.Duration;
import java.util.List;

/**
 * Dynamic batching of one model version.
 *
 * @param maxBatchSize largest batch handed to the engine; 1 turns batching off (default 1)
 * @param maxQueueDelay longest a request waits for others to join its batch (default 0)
 * @param maxQueueSize requests waiting beyond this are rejected with 503 (default 256)
 * @param preferredBatchSizes sizes the batcher dispatches at as soon as it reaches them (default
 *     none)
 */
public record BatchingConfig(
    int maxBatchSize, Duration maxQueueDelay, int maxQueueSize, List<Integer> preferredBatchSizes) {
  public static final BatchingConfig DEFAULT = new BatchingConfig(1, Duration.ZERO, 256, List.of());

  public BatchingConfig {
    preferredBatchSizes = List.copyOf(preferredBatchSizes);
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
}
