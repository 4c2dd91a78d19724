package dev.kairos.autoscaler.decider;

/**
 * What the decider remembers between decisions of one target. Immutable: each decision returns the
 * next state.
 *
 * @param panicSinceNanos when the target last was over the panic threshold, or {@link #NEVER} when
 *     it is in stable mode
 * @param maxPanicReplicas the most replicas wanted during this panic (never scale down in panic)
 * @param lastWantedNanos the last time the target wanted at least one replica; the last replica
 *     goes only a grace period after it
 */
public record DeciderState(long panicSinceNanos, int maxPanicReplicas, long lastWantedNanos) {
  public static final long NEVER = Long.MIN_VALUE;

  /** The state of a target registered at {@code nowNanos}. */
  public static DeciderState initial(long nowNanos) {
    return new DeciderState(NEVER, 0, nowNanos);
  }

  public boolean panicking() {
    return panicSinceNanos != NEVER;
  }
}
