package dev.kairos.gateway.time;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when told to; for tests and simulations. */
public final class ManualTimeSource implements TimeSource {
  private final AtomicLong nanos = new AtomicLong();
  private final long wallStartMillis;

  public ManualTimeSource(long wallStartMillis) {
    this.wallStartMillis = wallStartMillis;
  }

  public ManualTimeSource() {
    this(1_700_000_000_000L);
  }

  @Override
  public long wallMillis() {
    return wallStartMillis + nanos.get() / 1_000_000L;
  }

  @Override
  public long nanos() {
    return nanos.get();
  }

  public void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }
}
