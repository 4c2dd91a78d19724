package dev.kairos.cli;

import dev.kairos.sdk.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When the oldest request still held for each model (at zero replicas) began to wait: the order in
 * which the {@link StartQueue} starts replicas. A model's mark goes once a replica of it is routed.
 */
final class WaitingRequests {
  private final Clock clock;
  private final Map<String, Long> since = new ConcurrentHashMap<>();

  WaitingRequests(Clock clock) {
    this.clock = clock;
  }

  /** A request for {@code model} is held; the first such since its last replica counts. */
  void held(String model) {
    since.putIfAbsent(model, clock.monotonicNanos());
  }

  /** A replica of {@code model} takes requests: nothing waits for it any more. */
  void served(String model) {
    since.remove(model);
  }

  /** Whether a request for {@code model} is held now, waiting for a replica. */
  boolean waits(String model) {
    return since.containsKey(model);
  }

  /** When the oldest request for {@code model} began to wait, else now. */
  long since(String model) {
    Long s = since.get(model);
    return s != null ? s : clock.monotonicNanos();
  }
}
