package dev.kairos.gateway.time;

/**
 * Where the gateway reads time: wall time for timestamps, monotonic nanos for durations and rates.
 * Decision logic (breakers, rate limits, queue deadlines) takes one of these so tests can drive a
 * {@link ManualTimeSource} instead of sleeping.
 */
public interface TimeSource {
  /** Milliseconds since the epoch. */
  long wallMillis();

  /** Monotonic nanoseconds, only meaningful as differences. */
  long nanos();

  /** The machine's clocks. */
  static TimeSource system() {
    return SystemTimeSource.INSTANCE;
  }
}
