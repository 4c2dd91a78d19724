package dev.kairos.gateway.route;

import java.time.Duration;

/**
 * Per-model admission and deadline settings.
 *
 * @param maxInFlight requests of this model forwarded at once, over all replicas (bulkhead; default
 *     1024)
 * @param maxQueued requests waiting for a bulkhead slot; more are answered 503 at once (default
 *     1024)
 * @param maxQueueWait a request that waited this long for a slot is answered 503 (default 1s)
 * @param timeout a replica that has not answered by then is answered 504; a request can ask for
 *     another with the {@code Kairos-Timeout-Ms} header (default 60s)
 */
public record ModelLimits(int maxInFlight, int maxQueued, Duration maxQueueWait, Duration timeout) {
  public ModelLimits {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight = " + maxInFlight + ", must be >= 1");
    }
    if (maxQueued < 0) {
      throw new IllegalArgumentException("maxQueued = " + maxQueued + ", must be >= 0");
    }
    if (maxQueueWait.isNegative()) {
      throw new IllegalArgumentException("maxQueueWait = " + maxQueueWait + ", must be >= 0");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout = " + timeout + ", must be > 0");
    }
  }

  public static ModelLimits defaults() {
    return new ModelLimits(1024, 1024, Duration.ofSeconds(1), Duration.ofSeconds(60));
  }

  public ModelLimits withMaxInFlight(int n) {
    return new ModelLimits(n, maxQueued, maxQueueWait, timeout);
  }

  public ModelLimits withMaxQueued(int n) {
    return new ModelLimits(maxInFlight, n, maxQueueWait, timeout);
  }

  public ModelLimits withMaxQueueWait(Duration d) {
    return new ModelLimits(maxInFlight, maxQueued, d, timeout);
  }

  public ModelLimits withTimeout(Duration d) {
    return new ModelLimits(maxInFlight, maxQueued, maxQueueWait, d);
  }
}
