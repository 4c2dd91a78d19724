package dev.kairos.autoscaler.decider;

import java.util.Locale;

/**
 * One decision: how many replicas a target should have, and why.
 *
 * @param desired replicas wanted, within the spec's bounds
 * @param panic whether the decider is in panic mode
 * @param stableConcurrency average concurrency over the stable window
 * @param panicConcurrency average concurrency over the panic window
 * @param target concurrency per replica aimed at (target × utilisation)
 * @param wantedByLoad replicas the load asked for, before bounds and the scale-to-zero grace
 * @param next the decider's state for the next decision
 */
public record ScaleDecision(
    int desired,
    boolean panic,
    double stableConcurrency,
    double panicConcurrency,
    double target,
    int wantedByLoad,
    DeciderState next) {

  /** One line saying why, for logs and the admin API. */
  public String explain() {
    return String.format(
        Locale.ROOT,
        "%s mode: concurrency %.2f (stable) / %.2f (panic), target %.2f per replica -> load wants"
            + " %d, desired %d",
        panic ? "panic" : "stable",
        stableConcurrency,
        panicConcurrency,
        target,
        wantedByLoad,
        desired);
  }
}
