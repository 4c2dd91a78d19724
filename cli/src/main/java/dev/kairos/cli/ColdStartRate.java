package dev.kairos.cli;

import dev.kairos.sdk.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * How many replica processes were started cold in a recent window: the demand the {@link WarmPool}
 * is sized by. A burst of starts grows the pool so the next ones skip the JVM start; a quiet window
 * lets it shrink back to its floor.
 */
final class ColdStartRate {
  private final Clock clock;
  private final long windowNanos;
  private final ArrayDeque<Long> starts = new ArrayDeque<>();

  ColdStartRate(Clock clock, Duration window) {
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("window = " + window + ", must be > 0");
    }
    this.clock = clock;
    this.windowNanos = window.toNanos();
  }

  /** A replica process was asked for. */
  synchronized void record() {
    starts.addLast(clock.monotonicNanos());
    forget();
  }

  /** Process starts asked for within the window. */
  synchronized int recent() {
    forget();
    return starts.size();
  }

  /**
   * Standby processes to keep: as many as starts were asked for in the window, between {@code
   * floor} and {@code ceiling}.
   */
  int poolSize(int floor, int ceiling) {
    return Math.max(floor, Math.min(ceiling, recent()));
  }

  private void forget() {
    long oldest = clock.monotonicNanos() - windowNanos;
    while (!starts.isEmpty() && starts.peekFirst() <= oldest) {
      starts.removeFirst();
    }
  }
}
