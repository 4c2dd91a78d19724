package dev.kairos.console;

/**
 * One model at one instant, as the console charts it.
 *
 * @param atMillis wall time of the sample
 * @param requestRate requests answered per second since the previous sample
 * @param p50Ms median latency over the last few seconds (NaN without requests)
 * @param p99Ms 99th percentile latency over the last few seconds (NaN without requests)
 * @param errorRate share of 5xx answers since the previous sample (0 without requests)
 * @param inFlight requests forwarded and not yet answered
 * @param concurrency what the autoscaler sees: in-flight plus requests held at zero
 * @param desiredReplicas replicas the autoscaler wants (ready or starting)
 * @param readyReplicas replicas serving
 * @param targetConcurrency concurrency per replica the autoscaler aims at (target × utilisation)
 */
public record ModelSample(
    long atMillis,
    double requestRate,
    double p50Ms,
    double p99Ms,
    double errorRate,
    int inFlight,
    double concurrency,
    int desiredReplicas,
    int readyReplicas,
    double targetConcurrency) {}
