package dev.kairos.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.autoscaler.scaler.FakeScaler;
import dev.kairos.autoscaler.scaler.ReplicaCount;
import dev.kairos.autoscaler.scaler.ScaleTarget;
import dev.kairos.sdk.model.ScalingConfig;
import dev.kairos.sdk.model.ScalingKnobs;
import dev.kairos.sdk.time.ManualClock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The loop under a manual clock: from zero, a burst, and back to zero, one second at a time. */
class AutoscalerTest {
  private final ManualClock clock = new ManualClock();
  private final FakeScaler scaler = new FakeScaler();
  private final AtomicReference<Double> concurrency = new AtomicReference<>(0.0);
  private final ScaleTarget target = new ScaleTarget("cnn", "1");
  private final Autoscaler autoscaler = new Autoscaler(scaler, t -> concurrency.get(), clock);
  private final ScalingConfig spec =
      ScalingKnobs.apply(
          ScalingConfig.DEFAULT,
          Map.of(
              "targetConcurrency", 1,
              "targetUtilizationPercentage", 100,
              "stableWindow", "10s",
              "scaleToZeroAfter", "5s",
              "maxReplicas", 8));

  private void runFor(int seconds) {
    for (int i = 0; i < seconds; i++) {
      clock.advance(Duration.ofSeconds(1));
      autoscaler.sample();
      autoscaler.tick();
      scaler.makeReady(target);
    }
  }

  @Test
  void shouldScaleFromZeroOnDemandUpUnderABurstAndBackToZeroWhenIdle() {
    autoscaler.register(target, spec);
    runFor(3);
    assertThat(scaler.replicas(target)).isEqualTo(new ReplicaCount(0, 0));

    concurrency.set(1.0);
    autoscaler.demand(target);
    assertThat(scaler.replicas(target).desired()).isEqualTo(1);

    concurrency.set(6.0);
    runFor(2);
    assertThat(autoscaler.lastDecision(target).orElseThrow().panic()).isTrue();
    assertThat(scaler.replicas(target).desired()).isEqualTo(6);

    concurrency.set(0.0);
    runFor(5);
    assertThat(scaler.replicas(target).desired()).as("no scale-down while panicking").isEqualTo(6);

    runFor(40);
    assertThat(scaler.replicas(target)).isEqualTo(new ReplicaCount(0, 0));
  }

  @Test
  void shouldApplyKnobsChangedAtRunTimeOnTheNextDecision() {
    autoscaler.register(target, spec);
    scaler.scale(target, 1);
    concurrency.set(4.0);
    runFor(12);
    assertThat(scaler.replicas(target).desired()).isEqualTo(4);

    autoscaler.setSpec(target, ScalingKnobs.apply(spec, Map.of("targetConcurrency", 2)));
    runFor(12);
    assertThat(scaler.replicas(target).desired()).isEqualTo(2);
    assertThat(autoscaler.spec(target).orElseThrow().targetConcurrency()).isEqualTo(2.0);
  }

  @Test
  void shouldKeepTheLastReplicaForTheGracePeriod() {
    autoscaler.register(target, spec);
    scaler.scale(target, 1);
    scaler.makeReady(target);
    concurrency.set(1.0);
    runFor(15);
    concurrency.set(0.0);
    runFor(10); // the stable average drains to zero over the 10s window
    assertThat(scaler.replicas(target).desired()).isEqualTo(1);
    runFor(6);
    assertThat(scaler.replicas(target).desired()).isZero();
  }
}
