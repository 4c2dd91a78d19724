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
 * @param limit the rule that moved the decision away from what the load alone asked for
 * @param next the decider's state for the next decision
 */
public record ScaleDecision(
    int desired,
    boolean panic,
    double stableConcurrency,
    double panicConcurrency,
    double target,
    int wantedByLoad,
    Limit limit,
    DeciderState next) {

  /** Which rule, if any, made the decision differ from {@code ceil(concurrency / target)}. */
  public enum Limit {
    /** The load alone decided. */
    NONE("none"),
    /** Held back by {@code maxScaleUpRate}. */
    MAX_SCALE_UP_RATE("maxScaleUpRate"),
    /** Held back by {@code maxScaleDownRate}. */
    MAX_SCALE_DOWN_RATE("maxScaleDownRate"),
    /** Panic mode never scales down: the panic peak is kept. */
    PANIC_HOLD("panic hold"),
    /** The last replica is kept until {@code scaleToZeroAfter} has passed. */
    SCALE_TO_ZERO_GRACE("scaleToZeroAfter grace"),
    /** Raised to {@code activationScale} when scaling up from zero. */
    ACTIVATION_SCALE("activationScale"),
    /** Raised to {@code minReplicas}. */
    MIN_REPLICAS("minReplicas"),
    /** Capped at {@code maxReplicas}. */
    MAX_REPLICAS("maxReplicas");

    private final String knob;

    Limit(String knob) {
      this.knob = knob;
    }

    /** The knob (or rule) by its {@code model.yaml} name. */
    public String knob() {
      return knob;
    }
  }

  /** One line saying why, for logs and the admin API. */
  public String explain() {
    return String.format(
        Locale.ROOT,
        "%s mode: concurrency %.2f (stable) / %.2f (panic), target %.2f per replica -> load wants"
            + " %d, desired %d%s",
        panic ? "panic" : "stable",
        stableConcurrency,
        panicConcurrency,
        target,
        wantedByLoad,
        desired,
        limit == Limit.NONE ? "" : " (limited by " + limit.knob() + ")");
  }
}
