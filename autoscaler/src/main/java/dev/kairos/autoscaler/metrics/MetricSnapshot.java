package dev.kairos.autoscaler.metrics;

/**
 * What the decider sees of a target at one instant.
 *
 * @param stableConcurrency average concurrency over the stable window
 * @param panicConcurrency average concurrency over the panic window
 * @param readyReplicas replicas taking traffic now
 * @param currentReplicas replicas asked for now (starting or ready)
 */
public record MetricSnapshot(
    double stableConcurrency, double panicConcurrency, int readyReplicas, int currentReplicas) {}
