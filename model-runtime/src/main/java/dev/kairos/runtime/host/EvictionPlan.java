package dev.kairos.runtime.host;

import java.util.List;

/**
 * The decider's answer for one load.
 *
 * @param fits whether the load fits once {@code evict} are unloaded
 * @param evict the model versions to unload first (empty when it does not fit)
 * @param reason why it does not fit, null when it does
 */
public record EvictionPlan(boolean fits, List<ModelKey> evict, Reason reason) {
  /** Why a load does not fit. */
  public enum Reason {
    /** The model alone is larger than the whole budget. */
    LARGER_THAN_BUDGET,
    /** The models that would have to go have requests in flight (or are loading). */
    IN_USE
  }

  public EvictionPlan {
    evict = List.copyOf(evict);
  }

  static EvictionPlan fits(List<ModelKey> evict) {
    return new EvictionPlan(true, evict, null);
  }

  static EvictionPlan wontFit(Reason reason) {
    return new EvictionPlan(false, List.of(), reason);
  }
}
