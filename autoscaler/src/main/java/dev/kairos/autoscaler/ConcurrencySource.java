package dev.kairos.autoscaler;

import dev.kairos.autoscaler.scaler.ScaleTarget;

/**
 * Where concurrency is read from: the gateway's in-flight requests per model version plus requests
 * it holds for a target at zero. The gateway does not know the autoscaler; the wiring adapts one to
 * the other.
 */
@FunctionalInterface
public interface ConcurrencySource {
  /**
   * Requests in flight for this target, averaged over the time since the previous call (a time
   * average, so that requests shorter than the sampling period count), plus those held for it now;
   * 0 for a target nobody called.
   */
  double concurrency(ScaleTarget target);
}
