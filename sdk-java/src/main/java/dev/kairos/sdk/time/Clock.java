package dev.kairos.sdk.time;

/**
 * Where every time-dependent part of Kairos reads time: wall time for timestamps, monotonic time
 * for durations and deadlines. Decision logic (batcher, decider, arbiter, breakers) takes a clock
 * in its constructor; tests and simulators pass a {@link ManualClock}.
 */
public interface Clock {
  /** Milliseconds since the epoch, for timestamps. */
  long wallMillis();

  /** Nanoseconds from an arbitrary origin, for durations; never goes backwards. */
  long monotonicNanos();

  /** The system clock. */
  static Clock system() {
    return SystemClock.INSTANCE;
  }

  /** The system clock. */
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
