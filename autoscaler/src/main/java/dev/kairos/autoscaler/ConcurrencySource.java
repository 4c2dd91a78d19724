package dev.kairos.autoscaler;

import dev.kairos.autoscaler.scaler.ScaleTarget;

/**
 * Where concurrency is read from: the gateway's in-flight requests per replica plus requests it
 * holds for a target at zero. The gateway does not know the autoscaler; the wiring adapts one to
 * the other.
 */
@FunctionalInterface
public interface ConcurrencySource {
  /** Requests in flight or held for this target right now; 0 for a target nobody called. */
  double concurrency(ScaleTarget target);
}
