package dev.kairos.multiplexer.sim;

/**
 * What one simulated configuration achieved.
 *
 * @param requests requests that arrived
 * @param withinSlo requests answered within their model's SLO
 * @param rejected requests refused by admission control (counted as misses)
 * @param lightP99Nanos p99 latency of answered light-model requests
 * @param heavyCompleted heavy-model requests answered (any latency)
 * @param devicesUsed devices with at least one model
 * @param models models placed
 */
public record FleetResult(
    long requests,
    long withinSlo,
    long rejected,
    long lightP99Nanos,
    long heavyCompleted,
    int devicesUsed,
    int models) {
  public double attainment() {
    return requests == 0 ? 1 : withinSlo / (double) requests;
  }

  public double modelsPerDevice() {
    return devicesUsed == 0 ? 0 : models / (double) devicesUsed;
  }
}
