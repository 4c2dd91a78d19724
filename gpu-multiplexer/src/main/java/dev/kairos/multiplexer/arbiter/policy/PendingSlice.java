package dev.kairos.multiplexer.arbiter.policy;

import dev.kairos.multiplexer.arbiter.SliceRequest;

/**
 * A slice request as the arbiter holds it while it waits.
 *
 * @param id unique per arbiter
 * @param request what the runtime asked for
 * @param arrivalNanos monotonic time the arbiter received it
 * @param owner who will be told of the decision (a connection, a simulated runtime); opaque here
 */
public record PendingSlice(long id, SliceRequest request, long arrivalNanos, Object owner) {
  public String model() {
    return request.model();
  }

  public long estimatedNanos() {
    return request.estimatedNanos();
  }

  public int priority() {
    return request.priority();
  }

  public long deadlineNanos() {
    return request.deadlineNanos();
  }

  public boolean hasDeadline() {
    return request.deadlineNanos() != Long.MAX_VALUE;
  }
}
