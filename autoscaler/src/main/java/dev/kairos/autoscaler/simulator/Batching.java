package dev.kairos.autoscaler.simulator;

import dev.kairos.sdk.model.BatchingConfig;

/**
 * Dynamic batching of a model in a replay, with the runtime's rules ({@code DynamicBatcher}): a
 * replica's worker takes the waiting requests as one batch when there are {@code maxBatchSize} of
 * them, when their number is a preferred size, or when the oldest has waited {@code maxQueueDelay};
 * the batch then takes what the profile says a batch of that size takes.
 *
 * <p>A replica runs {@code workers} batches at once, whatever the replica concurrency the
 * autoscaler targets: the rest of its requests wait in its batcher. The profile is timed one batch
 * at a time with every engine thread, which is how a served replica runs its batches.
 *
 * @param config the model's batching knobs
 * @param latencies the model's profile
 * @param workers batches one replica runs at once (the runtime's compute workers)
 */
public record Batching(BatchingConfig config, BatchLatencies latencies, int workers) {
  /** A served replica's compute workers: {@code kairos serve} starts every replica with one. */
  public static final int SERVED_WORKERS = 1;

  public Batching {
    if (workers < 1) {
      throw new IllegalArgumentException("workers = " + workers + ", must be >= 1");
    }
  }

  /** Batching as a served replica runs it: one batch at a time. */
  public Batching(BatchingConfig config, BatchLatencies latencies) {
    this(config, latencies, SERVED_WORKERS);
  }
}
