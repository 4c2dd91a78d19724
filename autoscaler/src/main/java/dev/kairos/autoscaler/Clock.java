package dev.kairos.autoscaler;

/**
 * Where the autoscaler reads time: wall time for timestamps, monotonic nanos for durations. Tests
 * pass a {@link ManualClock}; the simulator runs the decider on its own virtual time.
 */
public interface Clock {
  long wallMillis();

  long monotonicNanos();

  static Clock system() {
    return new Clock() {
      @Override
      public long wallMillis() {
        return System.currentTimeMillis();
      }

      @Override
      public long monotonicNanos() {
        return System.nanoTime();
      }
    };
  }
}
