package dev.kairos.autoscaler;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when told to: for tests and for replaying traces. */
public final class ManualClock implements Clock {
  private final AtomicLong nanos = new AtomicLong();
  private final long wallOrigin;

  public ManualClock(long wallOriginMillis) {
    this.wallOrigin = wallOriginMillis;
  }

  @Override
  public long wallMillis() {
    return wallOrigin + nanos.get() / 1_000_000;
  }

  @Override
  public long monotonicNanos() {
    return nanos.get();
  }

  public void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }
}
