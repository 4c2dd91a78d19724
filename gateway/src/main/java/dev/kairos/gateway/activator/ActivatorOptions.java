package dev.kairos.gateway.activator;

import java.time.Duration;

/**
 * Bounds of the scale-from-zero holding area.
 *
 * @param maxHeldPerModel more requests for a model at zero are answered 503 at once (default 1000)
 * @param maxWait a held request is answered 503 with Retry-After when no replica is ready by then
 *     (default 30s)
 * @param checkEvery how often held models are checked for a ready replica while requests are held,
 *     besides the route table's word when a replica joins (default 10ms)
 * @param logHolds whether holding and releasing a model's requests is logged at INFO (default), or
 *     at DEBUG, for a gateway of the platform's own whose holds are not a user's
 */
public record ActivatorOptions(
    int maxHeldPerModel, Duration maxWait, Duration checkEvery, boolean logHolds) {
  public ActivatorOptions(int maxHeldPerModel, Duration maxWait, Duration checkEvery) {
    this(maxHeldPerModel, maxWait, checkEvery, true);
  }

  public ActivatorOptions {
    if (maxHeldPerModel < 1) {
      throw new IllegalArgumentException("maxHeldPerModel = " + maxHeldPerModel + ", must be >= 1");
    }
    if (maxWait.isNegative() || maxWait.isZero()) {
      throw new IllegalArgumentException("maxWait = " + maxWait + ", must be > 0");
    }
    if (checkEvery.toMillis() < 1) {
      throw new IllegalArgumentException("checkEvery = " + checkEvery + ", must be >= 1ms");
    }
  }

  public static ActivatorOptions defaults() {
    return new ActivatorOptions(1000, Duration.ofSeconds(30), Duration.ofMillis(10));
  }

  public ActivatorOptions withMaxWait(Duration d) {
    return new ActivatorOptions(maxHeldPerModel, d, checkEvery, logHolds);
  }

  public ActivatorOptions withCheckEvery(Duration d) {
    return new ActivatorOptions(maxHeldPerModel, maxWait, d, logHolds);
  }

  public ActivatorOptions withMaxHeldPerModel(int n) {
    return new ActivatorOptions(n, maxWait, checkEvery, logHolds);
  }

  /** These options with holds and releases logged at DEBUG. */
  public ActivatorOptions withoutHoldLogs() {
    return new ActivatorOptions(maxHeldPerModel, maxWait, checkEvery, false);
  }
}
