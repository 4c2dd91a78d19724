package dev.kairos.autoscaler.simulator;

/**
 * What one model saw over a replay.
 *
 * @param name the model
 * @param requests requests that arrived
 * @param withinSlo requests that waited no longer than the SLO allows
 * @param latencies end-to-end latencies (wait + service)
 * @param replicaSeconds replica-seconds paid (starting and ready replicas)
 * @param coldStarts times the model went from no replica to one
 * @param coldRequests requests that arrived while the model had no ready replica
 * @param maxReplicas the most replicas at once
 * @param requestsPerBucket arrivals per chart bucket
 * @param replicaSecondsPerBucket replica-seconds per chart bucket
 */
public record ModelResult(
    String name,
    long requests,
    long withinSlo,
    LatencyHistogram latencies,
    double replicaSeconds,
    long coldStarts,
    long coldRequests,
    int maxReplicas,
    long[] requestsPerBucket,
    double[] replicaSecondsPerBucket) {

  public double sloAttainment() {
    return requests == 0 ? 1.0 : (double) withinSlo / requests;
  }

  public double p50() {
    return latencies.quantile(0.50);
  }

  public double p99() {
    return latencies.quantile(0.99);
  }
}
