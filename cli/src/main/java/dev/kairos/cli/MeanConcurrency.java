package dev.kairos.cli;

import dev.kairos.autoscaler.scaler.ScaleTarget;
import dev.kairos.gateway.route.ReplicaSet;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Each model version's mean in-flight requests between two readings, from its replicas' in-flight
 * time ({@link ReplicaSet#inFlightNanos}): what the autoscaler samples, so that requests shorter
 * than the sampling period count for the time they took rather than for whether a sample happened
 * to catch them.
 */
final class MeanConcurrency {
  private record Reading(ReplicaSet set, long inFlightNanos, long atNanos) {}

  private final LongSupplier nanoTime;
  private final Map<ScaleTarget, Reading> last = new HashMap<>();

  /**
   * @param nanoTime the monotonic clock the replicas measure their in-flight time on
   */
  MeanConcurrency(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /**
   * The mean concurrency of {@code set} since the previous reading for {@code target}; the requests
   * in flight now for a first reading, or when the version's replica set was replaced.
   */
  synchronized double since(ScaleTarget target, ReplicaSet set) {
    long now = nanoTime.getAsLong();
    long inFlightNanos = set.inFlightNanos();
    Reading previous = last.put(target, new Reading(set, inFlightNanos, now));
    if (previous == null || previous.set() != set || now <= previous.atNanos()) {
      return set.inFlight();
    }
    return (double) (inFlightNanos - previous.inFlightNanos()) / (now - previous.atNanos());
  }
}
