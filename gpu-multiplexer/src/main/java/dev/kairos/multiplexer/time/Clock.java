package dev.kairos.multiplexer.time;

/**
 * Where decision logic reads time: wall time for timestamps, monotonic time for durations and
 * deadlines. Production uses {@link #system()}; tests and the simulator use {@link ManualClock}.
 */
public interface Clock {
  long wallMillis();

  long monotonicNanos();

  static Clock system() {
    return SystemClock.INSTANCE;
  }

  /** The JVM's clock. */
  enum SystemClock implements Clock {
    INSTANCE;

    @Override
    public long wallMillis() {
      return System.currentTimeMillis();
    }

    @Override
    public long monotonicNanos() {
      return System.nanoTime();
    }
  }
}
