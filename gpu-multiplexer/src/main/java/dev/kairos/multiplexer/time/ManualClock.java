package dev.kairos.multiplexer.time;

import java.util.concurrent.TimeUnit;

/** A clock that moves only when told: the fake clock of tests and the simulator's virtual clock. */
public final class ManualClock implements Clock {
  private volatile long nanos;
  private final long wallOriginMillis;

  public ManualClock(long startNanos) {
    this.nanos = startNanos;
    this.wallOriginMillis = 0;
  }

  public ManualClock() {
    this(0);
  }

  @Override
  public long wallMillis() {
    return wallOriginMillis + TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  @Override
  public long monotonicNanos() {
    return nanos;
  }

  /** Moves time forward; time never goes back. */
  public synchronized void advance(long delta, TimeUnit unit) {
    long d = unit.toNanos(delta);
    if (d < 0) {
      throw new IllegalArgumentException("time cannot go back: delta " + d + " ns");
    }
    nanos += d;
  }

  /** Sets time to an absolute instant at or after now. */
  public synchronized void setNanos(long at) {
    if (at < nanos) {
      throw new IllegalArgumentException("time cannot go back: " + at + " < " + nanos);
    }
    nanos = at;
  }
}
