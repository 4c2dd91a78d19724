package dev.kairos.gateway.resilience;

import java.time.Duration;

/**
 * Per-replica circuit breaker settings.
 *
 * @param failureRatePercent failure rate over the window at which the breaker opens (default 50)
 * @param windowSize calls in the count-based sliding window (default 20)
 * @param minimumCalls calls before the rate is judged (default 5)
 * @param openFor how long an open breaker refuses traffic before one probe (default 5s)
 * @param probes calls let through while half-open (default 1)
 */
public record BreakerOptions(
    int failureRatePercent, int windowSize, int minimumCalls, Duration openFor, int probes) {
  public BreakerOptions {
    if (failureRatePercent < 1 || failureRatePercent > 100) {
      throw new IllegalArgumentException(
          "failureRatePercent = " + failureRatePercent + ", must be 1..100");
    }
    if (windowSize < 1) {
      throw new IllegalArgumentException("windowSize = " + windowSize + ", must be >= 1");
    }
    if (minimumCalls < 1) {
      throw new IllegalArgumentException("minimumCalls = " + minimumCalls + ", must be >= 1");
    }
    if (openFor.isNegative() || openFor.isZero()) {
      throw new IllegalArgumentException("openFor = " + openFor + ", must be > 0");
    }
    if (probes < 1) {
      throw new IllegalArgumentException("probes = " + probes + ", must be >= 1");
    }
  }

  public static BreakerOptions defaults() {
    return new BreakerOptions(50, 20, 5, Duration.ofSeconds(5), 1);
  }
}
