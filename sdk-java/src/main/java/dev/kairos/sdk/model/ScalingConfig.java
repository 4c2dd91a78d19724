package dev.kairos.sdk.model;

import java.time.Duration;

/**
 * Replica bounds and the autoscaler's per-model target. The autoscaler owns the full set of knobs;
 * these are the ones every part of the platform reads.
 *
 * @param minReplicas never fewer (default 0: scale to zero)
 * @param maxReplicas never more (default 4)
 * @param initialScale replicas started when the model is first served (default 1)
 * @param targetConcurrency in-flight requests per replica the autoscaler aims at (default 8)
 * @param scaleToZeroAfter idle time before the last replica goes (default 30s)
 */
public record ScalingConfig(
    int minReplicas,
    int maxReplicas,
    int initialScale,
    double targetConcurrency,
    Duration scaleToZeroAfter) {
  public static final ScalingConfig DEFAULT =
      new ScalingConfig(0, 4, 1, 8.0, Duration.ofSeconds(30));
}
