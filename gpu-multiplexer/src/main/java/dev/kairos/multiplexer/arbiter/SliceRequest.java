package dev.kairos.multiplexer.arbiter;

/**
 * What a runtime tells the device's arbiter before running one batch.
 *
 * @param model the model asking
 * @param estimatedNanos how long the batch is expected to hold the device
 * @param priority higher runs first under priority policies (light models get a higher one)
 * @param deadlineNanos monotonic time by which the batch must finish, or {@link Long#MAX_VALUE}
 */
public record SliceRequest(String model, long estimatedNanos, int priority, long deadlineNanos) {}
