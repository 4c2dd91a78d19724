package dev.kairos.autoscaler.simulator;

/**
 * How a model's replicas behave in the simulator.
 *
 * @param serviceTimeSeconds time one request takes on a replica; NaN to use the trace's durations
 * @param concurrencyPerReplica requests one replica serves at once; more wait in its queue
 * @param coldStartSeconds from asking for a replica to its first request, when it starts alone
 * @param machine how starts contend for the machine and how many replicas its memory holds
 */
public record LatencyModel(
    double serviceTimeSeconds,
    int concurrencyPerReplica,
    double coldStartSeconds,
    Machine machine) {
  /** Every start takes {@code coldStartSeconds}, however many happen at once. */
  public LatencyModel(
      double serviceTimeSeconds, int concurrencyPerReplica, double coldStartSeconds) {
    this(serviceTimeSeconds, concurrencyPerReplica, coldStartSeconds, Machine.UNBOUNDED);
  }

  public LatencyModel {
    if (!Double.isNaN(serviceTimeSeconds) && !(serviceTimeSeconds > 0)) {
      throw new IllegalArgumentException("service time = " + serviceTimeSeconds + "s, must be > 0");
    }
    if (concurrencyPerReplica < 1) {
      throw new IllegalArgumentException(
          "concurrency per replica = " + concurrencyPerReplica + ", must be >= 1");
    }
    if (!(coldStartSeconds >= 0) || Double.isInfinite(coldStartSeconds)) {
      throw new IllegalArgumentException("cold start = " + coldStartSeconds + "s, must be >= 0");
    }
    if (machine == null) {
      throw new IllegalArgumentException("the machine is missing");
    }
  }
}
