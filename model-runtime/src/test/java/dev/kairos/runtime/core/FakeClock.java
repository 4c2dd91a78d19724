package dev.kairos.runtime.core;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when a test moves it. */
public final class FakeClock implements Clock {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  @Override
  public long wallMillis() {
    return 1_700_000_000_000L + nanos.get() / 1_000_000;
  }

  @Override
  public long monotonicNanos() {
    return nanos.get();
  }

  public void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }
}
