package dev.kairos.autoscaler.scaler;

/**
 * How many replicas a target has.
 *
 * @param desired replicas asked for (starting, ready or draining to become ready)
 * @param ready replicas that take traffic
 */
public record ReplicaCount(int desired, int ready) {}
