package dev.kairos.gateway.metrics;

/**
 * One model's counters since the gateway started, summed over its versions: what the console
 * samples every second and turns into rates and latency quantiles by difference.
 *
 * @param model the model
 * @param requests requests answered
 * @param errors requests answered with a 5xx status
 * @param latencyUpperBounds upper bounds (seconds) of the latency histogram's buckets, ascending,
 *     the last one {@code +Inf}
 * @param latencyCounts requests per latency bucket (not cumulative)
 */
public record ModelTotals(
    String model, long requests, long errors, double[] latencyUpperBounds, long[] latencyCounts) {}
