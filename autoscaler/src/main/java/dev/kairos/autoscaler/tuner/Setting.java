package dev.kairos.autoscaler.tuner;

import dev.kairos.sdk.model.BatchingConfig;
import dev.kairos.sdk.model.ScalingConfig;
import java.util.Map;

/**
 * A setting the platform accepts: the knobs the search chose, and the whole configuration they make
 * on top of the model's current one.
 *
 * @param knobs the searched knobs' values, by their {@code model.yaml} names, as they would be
 *     written there (empty for the current setting)
 * @param scaling every scaling knob
 * @param batching the batching the model runs with
 */
public record Setting(Map<String, Object> knobs, ScalingConfig scaling, BatchingConfig batching) {
  public Setting {
    knobs = Map.copyOf(knobs);
  }

  /** The knobs as {@code knob=value} pairs in a stable order, for reports. */
  public String describe() {
    if (knobs.isEmpty()) {
      return "(current)";
    }
    return new java.util.TreeMap<>(knobs)
        .entrySet().stream()
            .map(e -> e.getKey() + "=" + show(e.getValue()))
            .collect(java.util.stream.Collectors.joining(","));
  }

  private static String show(Object v) {
    return v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15
        ? String.valueOf(d.longValue())
        : String.valueOf(v);
  }
}
