package dev.kairos.runtime.batch;

import java.util.List;

/**
 * Requests the batcher hands to the engine together.
 *
 * @param requests in queue order
 * @param rows their total size along the batch dimension
 * @param formedNanos monotonic time the batch left the queue
 */
public record Batch(List<PendingRequest> requests, int rows, long formedNanos) {
  public Batch {
    requests = List.copyOf(requests);
  }

  /** The earliest deadline among the requests, or {@link Long#MAX_VALUE}. */
  public long deadlineNanos() {
    long d = Long.MAX_VALUE;
    for (PendingRequest p : requests) {
      d = Math.min(d, p.deadlineNanos());
    }
    return d;
  }
}
