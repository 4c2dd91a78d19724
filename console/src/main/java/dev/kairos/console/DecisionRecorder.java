package dev.kairos.console;

import dev.kairos.autoscaler.Autoscaler;
import dev.kairos.autoscaler.decider.ScaleDecision;
import dev.kairos.autoscaler.scaler.ReplicaCount;
import dev.kairos.autoscaler.scaler.ScaleTarget;
import dev.kairos.sdk.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * Keeps the autoscaler's decisions that change something (replicas, or panic mode on or off) in the
 * {@link MetricsRing}, to annotate the autoscaling chart.
 */
public final class DecisionRecorder implements Autoscaler.DecisionListener {
  private final Clock clock;
  private final MetricsRing ring;
  private final Map<ScaleTarget, Boolean> panicking = new HashMap<>();

  public DecisionRecorder(Clock clock, MetricsRing ring) {
    this.clock = clock;
    this.ring = ring;
  }

  @Override
  public synchronized void decided(ScaleTarget target, ReplicaCount before, ScaleDecision d) {
    boolean wasPanicking = Boolean.TRUE.equals(panicking.put(target, d.panic()));
    if (d.desired() == before.desired() && d.panic() == wasPanicking) {
      return;
    }
    ring.record(
        new DecisionEvent(
            clock.wallMillis(),
            target.model(),
            target.version(),
            before.desired(),
            d.desired(),
            d.panic(),
            d.limit().knob(),
            d.explain()));
  }
}
