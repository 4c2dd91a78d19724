package dev.kairos.autoscaler.scaler;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A scaler whose replicas become ready when the test says so: {@link #makeReady} moves starting
 * replicas to ready; scaling down removes them at once.
 */
public final class FakeScaler implements Scaler {
  private final Map<ScaleTarget, ReplicaCount> counts = new ConcurrentHashMap<>();

  @Override
  public CompletionStage<Void> scale(ScaleTarget target, int replicas) {
    counts.compute(
        target,
        (t, c) -> {
          int ready = c == null ? 0 : Math.min(c.ready(), replicas);
          return new ReplicaCount(replicas, ready);
        });
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public ReplicaCount replicas(ScaleTarget target) {
    return counts.getOrDefault(target, new ReplicaCount(0, 0));
  }

  /** Every replica asked for becomes ready. */
  public void makeReady(ScaleTarget target) {
    counts.computeIfPresent(target, (t, c) -> new ReplicaCount(c.desired(), c.desired()));
  }
}
