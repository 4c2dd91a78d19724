package dev.kairos.cli;

import dev.kairos.sdk.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts, per replica, liveness probes failed in a row, and says when a replica is hung: {@code
 * threshold} failures in a row. One answer resets the count, so a replica that is slow now and then
 * (a long GC, or the arbiter pausing it for a slice on a shared device) is never taken for hung.
 */
final class LivenessCount {
  private final int threshold;
  private final Clock clock;
  private final Map<String, Failing> failing = new ConcurrentHashMap<>();

  /** Failures in a row of one replica, and when the first of them was sent. */
  record Failing(int count, long sinceNanos) {}

  /**
   * @param threshold probes failed in a row that make a replica hung (at least 1)
   */
  LivenessCount(int threshold, Clock clock) {
    if (threshold < 1) {
      throw new IllegalArgumentException("threshold = " + threshold + ", must be >= 1");
    }
    this.threshold = threshold;
    this.clock = clock;
  }

  /** The replica answered its probe. */
  void answered(String replica) {
    failing.remove(replica);
  }

  /**
   * The replica did not answer its probe in time.
   *
   * @return the failures in a row, when they make it hung; null while it is not
   */
  Failing missed(String replica) {
    long now = clock.monotonicNanos();
    Failing f =
        failing.merge(
            replica, new Failing(1, now), (a, b) -> new Failing(a.count() + 1, a.sinceNanos()));
    return f.count() >= threshold ? f : null;
  }

  /** Forgets replicas not in {@code present} (stopped, replaced). */
  void retain(Set<String> present) {
    failing.keySet().retainAll(present);
  }
}
