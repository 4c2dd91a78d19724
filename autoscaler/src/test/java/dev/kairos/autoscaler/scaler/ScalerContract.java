package dev.kairos.autoscaler.scaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Scaler} must do, whatever it scales: each implementation's test extends this
 * class and supplies a scaler and a target it may start replicas of.
 */
public abstract class ScalerContract {
  /** The scaler under test; called once per test. */
  protected abstract Scaler scaler();

  /** A target the scaler can start replicas of, at zero replicas when the test begins. */
  protected abstract ScaleTarget target();

  /** How long replicas may take to become ready or to go. */
  protected Duration patience() {
    return Duration.ofSeconds(60);
  }

  @Test
  void shouldCountAskedReplicasAsDesiredOnceAccepted() {
    Scaler s = scaler();
    s.scale(target(), 1).toCompletableFuture().join();
    assertThat(s.replicas(target()).desired()).isEqualTo(1);
    await().atMost(patience()).until(() -> s.replicas(target()).ready() == 1);
    s.scale(target(), 0).toCompletableFuture().join();
    assertThat(s.replicas(target()).desired()).isZero();
    await().atMost(patience()).until(() -> s.replicas(target()).ready() == 0);
  }

  @Test
  void shouldScaleUpThenDownToZero() {
    Scaler s = scaler();
    s.scale(target(), 2);
    await().atMost(patience()).until(() -> s.replicas(target()).equals(new ReplicaCount(2, 2)));
    s.scale(target(), 1);
    await().atMost(patience()).until(() -> s.replicas(target()).equals(new ReplicaCount(1, 1)));
    s.scale(target(), 0);
    await().atMost(patience()).until(() -> s.replicas(target()).equals(new ReplicaCount(0, 0)));
  }

  @Test
  void shouldTreatTheSameCountTwiceAsOne() {
    Scaler s = scaler();
    s.scale(target(), 1);
    s.scale(target(), 1);
    await().atMost(patience()).until(() -> s.replicas(target()).ready() == 1);
    assertThat(s.replicas(target())).isEqualTo(new ReplicaCount(1, 1));
    s.scale(target(), 0);
    await().atMost(patience()).until(() -> s.replicas(target()).equals(new ReplicaCount(0, 0)));
  }
}
