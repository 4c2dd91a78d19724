package dev.kairos.runtime.core;

/** Time for decision logic: wall time for timestamps, monotonic nanos for durations. */
public interface Clock {
  long wallMillis();

  long monotonicNanos();

  /** The machine's clocks. */
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
