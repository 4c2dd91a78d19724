package dev.kairos.autoscaler.decider;

import dev.kairos.autoscaler.metrics.MetricSnapshot;
import dev.kairos.sdk.model.ScalingConfig;

/**
 * Knative's KPA decision as a pure function of (spec, metrics, state, now).
 *
 * <ul>
 *   <li>Replicas wanted = ceil(concurrency / (targetConcurrency × utilisation)), over the stable
 *       window, or over the panic window while panicking.
 *   <li>One decision moves at most from {@code ready} to {@code ceil(ready × maxScaleUpRate)} and
 *       to no fewer than {@code floor(ready / maxScaleDownRate)} (ready counted as at least 1).
 *   <li>Panic starts when the panic-window concurrency reaches {@code panicThreshold} times what
 *       the ready replicas take at target; it lasts until a whole stable window has passed below
 *       the threshold, and it never scales down.
 *   <li>From zero, at least {@code activationScale} replicas; the last replica goes only after the
 *       target has wanted none for {@code scaleToZeroAfter}; then min/max bounds.
 * </ul>
 */
public final class KpaDecider {
  private KpaDecider() {}

  public static ScaleDecision decide(
      ScalingConfig spec, MetricSnapshot m, DeciderState state, long nowNanos) {
    double target = spec.effectiveTarget();
    double ready = Math.max(1, m.readyReplicas());
    double maxUp = Math.ceil(spec.maxScaleUpRate() * ready);
    double maxDown = Math.floor(ready / spec.maxScaleDownRate());

    double dspc = Math.ceil(m.stableConcurrency() / target);
    double dppc = Math.ceil(m.panicConcurrency() / target);
    int stable = (int) Math.min(Math.max(dspc, maxDown), maxUp);
    int panicWanted = (int) Math.min(Math.max(dppc, maxDown), maxUp);
    if (spec.activationScale() > 1) {
      if (dspc > 0 && stable < spec.activationScale()) {
        stable = spec.activationScale();
      }
      if (dppc > 0 && panicWanted < spec.activationScale()) {
        panicWanted = spec.activationScale();
      }
    }

    boolean overThreshold = dppc / ready >= spec.panicThreshold();
    long panicSince = state.panicSinceNanos();
    int maxPanic = state.maxPanicReplicas();
    if (overThreshold) {
      panicSince = nowNanos;
    } else if (panicSince != DeciderState.NEVER
        && nowNanos - panicSince > spec.stableWindow().toNanos()) {
      panicSince = DeciderState.NEVER;
      maxPanic = 0;
    }

    int wanted = stable;
    boolean panic = panicSince != DeciderState.NEVER;
    double byLoad = dspc;
    if (panic) {
      wanted = Math.max(wanted, panicWanted);
      byLoad = Math.max(dspc, dppc);
      maxPanic = Math.max(maxPanic, wanted);
      wanted = maxPanic;
    }
    ScaleDecision.Limit limit = ScaleDecision.Limit.NONE;
    if (byLoad > maxUp) {
      limit = ScaleDecision.Limit.MAX_SCALE_UP_RATE;
    } else if (byLoad < maxDown && wanted == (int) maxDown) {
      limit = ScaleDecision.Limit.MAX_SCALE_DOWN_RATE;
    } else if (panic && wanted > byLoad && wanted > Math.min(Math.max(dppc, maxDown), maxUp)) {
      limit = ScaleDecision.Limit.PANIC_HOLD;
    } else if (wanted > byLoad) {
      limit = ScaleDecision.Limit.ACTIVATION_SCALE;
    }

    long lastWanted = wanted > 0 ? nowNanos : state.lastWantedNanos();
    int desired = wanted;
    if (desired == 0
        && m.currentReplicas() > 0
        && nowNanos - lastWanted < spec.scaleToZeroAfter().toNanos()) {
      desired = 1; // keep the last replica through the grace period
      limit = ScaleDecision.Limit.SCALE_TO_ZERO_GRACE;
    }
    if (desired > 0 && m.currentReplicas() == 0 && desired < spec.activationScale()) {
      desired = spec.activationScale();
      limit = ScaleDecision.Limit.ACTIVATION_SCALE;
    }
    if (desired > spec.maxReplicas()) {
      desired = spec.maxReplicas();
      limit = ScaleDecision.Limit.MAX_REPLICAS;
    } else if (desired < spec.minReplicas()) {
      desired = spec.minReplicas();
      limit = ScaleDecision.Limit.MIN_REPLICAS;
    }
    return new ScaleDecision(
        desired,
        panic,
        m.stableConcurrency(),
        m.panicConcurrency(),
        target,
        wanted,
        limit,
        new DeciderState(panicSince, maxPanic, lastWanted));
  }
}
