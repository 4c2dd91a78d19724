package dev.kairos.autoscaler.simulator;

/**
 * How a replay runs.
 *
 * @param latency how replicas behave
 * @param sloWaitSeconds a request meets its SLO when it waits (queue plus cold start) at most this
 *     long before its service begins
 * @param tickSeconds the decider runs this often (Knative: 2 s)
 * @param chartBucketSeconds the resolution of the requests-vs-replicas series
 * @param seed seeds the spreading of per-minute counts and the service-time draws
 * @param sloCountsService whether the SLO bounds a request's whole latency (wait plus service)
 *     rather than its wait alone; {@code sloWaitSeconds} is then that latency bound
 */
public record SimulationOptions(
    LatencyModel latency,
    double sloWaitSeconds,
    double tickSeconds,
    int chartBucketSeconds,
    long seed,
    boolean sloCountsService) {
  /** An SLO on the wait before service. */
  public SimulationOptions(
      LatencyModel latency,
      double sloWaitSeconds,
      double tickSeconds,
      int chartBucketSeconds,
      long seed) {
    this(latency, sloWaitSeconds, tickSeconds, chartBucketSeconds, seed, false);
  }

  public SimulationOptions {
    if (!(tickSeconds > 0) || chartBucketSeconds < 1 || !(sloWaitSeconds >= 0)) {
      throw new IllegalArgumentException("tick must be > 0, chart bucket >= 1 s and SLO wait >= 0");
    }
  }
}
