package dev.kairos.gateway.resilience;

import dev.kairos.sdk.time.Clock;

/** A rate limit: {@code rate} permits per second, up to {@code burst} at once. */
public final class TokenBucket {
  private final double ratePerNano;
  private final double burst;
  private final Clock time;
  private double tokens;
  private long lastNanos;

  public TokenBucket(double ratePerSecond, int burst, Clock time) {
    if (ratePerSecond <= 0 || burst < 1) {
      throw new IllegalArgumentException(
          "rate = " + ratePerSecond + " and burst = " + burst + ", must be > 0 and >= 1");
    }
    this.ratePerNano = ratePerSecond / 1e9;
    this.burst = burst;
    this.time = time;
    this.tokens = burst;
    this.lastNanos = time.monotonicNanos();
  }

  /**
   * Takes a permit if one is there.
   *
   * @return 0 when granted, else the nanoseconds until one will be
   */
  public synchronized long tryAcquire() {
    long now = time.monotonicNanos();
    tokens = Math.min(burst, tokens + (now - lastNanos) * ratePerNano);
    lastNanos = now;
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    return (long) Math.ceil((1 - tokens) / ratePerNano);
  }
}
