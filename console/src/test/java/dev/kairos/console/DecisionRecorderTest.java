package dev.kairos.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.autoscaler.decider.DeciderState;
import dev.kairos.autoscaler.decider.ScaleDecision;
import dev.kairos.autoscaler.scaler.ReplicaCount;
import dev.kairos.autoscaler.scaler.ScaleTarget;
import dev.kairos.sdk.time.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DecisionRecorderTest {
  private final ManualClock clock = new ManualClock(1_700_000_000_000L, 0);
  private final MetricsRing ring = MetricsRing.defaults();
  private final DecisionRecorder recorder = new DecisionRecorder(clock, ring);
  private final ScaleTarget mlp = new ScaleTarget("mlp", "1");

  private static ScaleDecision decision(int desired, boolean panic, ScaleDecision.Limit limit) {
    return new ScaleDecision(desired, panic, 1, 1, 5.6, desired, limit, DeciderState.initial(0));
  }

  @Test
  void shouldKeepOnlyDecisionsThatChangeReplicasOrPanicMode() {
    recorder.decided(mlp, new ReplicaCount(1, 1), decision(1, false, ScaleDecision.Limit.NONE));
    clock.advance(Duration.ofSeconds(2));
    recorder.decided(
        mlp, new ReplicaCount(1, 1), decision(4, true, ScaleDecision.Limit.MAX_REPLICAS));
    clock.advance(Duration.ofSeconds(2));
    recorder.decided(
        mlp, new ReplicaCount(4, 4), decision(4, true, ScaleDecision.Limit.PANIC_HOLD));
    clock.advance(Duration.ofSeconds(2));
    recorder.decided(mlp, new ReplicaCount(4, 4), decision(4, false, ScaleDecision.Limit.NONE));
    clock.advance(Duration.ofSeconds(2));
    recorder.decided(mlp, new ReplicaCount(1, 1), decision(0, false, ScaleDecision.Limit.NONE));

    assertThat(ring.decisions("mlp", 0))
        .extracting(DecisionEvent::kind, DecisionEvent::limit, DecisionEvent::atMillis)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("scale up", "maxReplicas", 1_700_000_002_000L),
            org.assertj.core.groups.Tuple.tuple("stable", "none", 1_700_000_006_000L),
            org.assertj.core.groups.Tuple.tuple("scale to zero", "none", 1_700_000_008_000L));
  }
}
