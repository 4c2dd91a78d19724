package dev.kairos.sdk.time;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when told: for tests and for simulations on a virtual clock. Wall time is
 * {@code wallOriginMillis} plus the monotonic time elapsed. Safe to read from several threads.
 */
public final class ManualClock implements Clock {
  private final long wallOriginMillis;
  private final AtomicLong nanos;

  /** Starts at monotonic time 0 and wall time 0 (the epoch). */
  public ManualClock() {
    this(0, 0);
  }

  /**
   * @param wallOriginMillis wall time when the monotonic time is 0
   * @param startNanos the monotonic time to start at
   */
  public ManualClock(long wallOriginMillis, long startNanos) {
    this.wallOriginMillis = wallOriginMillis;
    this.nanos = new AtomicLong(startNanos);
  }

  @Override
  public long wallMillis() {
    return wallOriginMillis + nanos.get() / 1_000_000L;
  }

  @Override
  public long monotonicNanos() {
    return nanos.get();
  }

  public void advance(Duration d) {
    advanceNanos(d.toNanos());
  }

  public void advance(long amount, TimeUnit unit) {
    advanceNanos(unit.toNanos(amount));
  }

  /**
   * Moves to an absolute monotonic time.
   *
   * @throws IllegalArgumentException if that is in the past: monotonic time never goes backwards
   */
  public void setNanos(long at) {
    long now = nanos.get();
    if (at < now) {
      throw new IllegalArgumentException("monotonic time cannot go back from " + now + " to " + at);
    }
    nanos.set(at);
  }

  private void advanceNanos(long d) {
    if (d < 0) {
      throw new IllegalArgumentException("cannot advance by a negative duration: " + d + " ns");
    }
    nanos.addAndGet(d);
  }
}
