package dev.kairos.autoscaler.simulator;

import dev.kairos.sdk.model.BatchingConfig;

/**
 * Dynamic batching of a model in a replay, with the runtime's rules ({@code DynamicBatcher}): a
 * replica's worker takes the waiting requests as one batch when there are {@code maxBatchSize} of
 * them, when their number is a preferred size, or when the oldest has waited {@code maxQueueDelay};
 * the batch then takes what the profile says a batch of that size takes.
 *
 * @param config the model's batching knobs
 * @param latencies the model's profile
 */
public record Batching(BatchingConfig config, BatchLatencies latencies) {}
