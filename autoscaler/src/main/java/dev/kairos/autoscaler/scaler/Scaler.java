package dev.kairos.autoscaler.scaler;

import java.util.concurrent.CompletionStage;

/**
 * Acts on a scale decision: local child processes, or a Kubernetes Deployment's scale subresource.
 * The decider never calls a scaler directly; the autoscaler loop does, so scalers can be swapped
 * without touching the decision logic.
 */
public interface Scaler {
  /**
   * Asks for {@code replicas} replicas of a target. Completes when the request is accepted, not
   * when the replicas are ready; scaling down drains before it stops a replica.
   */
  CompletionStage<Void> scale(ScaleTarget target, int replicas);

  /** The replicas the target has now. */
  ReplicaCount replicas(ScaleTarget target);
}
