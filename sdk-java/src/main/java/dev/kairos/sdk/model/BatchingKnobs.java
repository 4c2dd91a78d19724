package dev.kairos.sdk.model;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Sets batching knobs by name: the one validator behind {@code model.yaml}'s {@code batching:} and
 * {@code kairos tune}. Values may be numbers or their text; durations are written as in {@code
 * model.yaml} ({@code 2ms}).
 */
public final class BatchingKnobs {
  /** The knobs set by value ({@code preferredBatchSizes}, a list, is kept as it is). */
  public static final List<String> NAMES = List.of("maxBatchSize", "maxQueueDelay", "maxQueueSize");

  private BatchingKnobs() {}

  /**
   * Returns {@code base} with the given knobs changed; the rules are {@link BatchingConfig}'s own.
   *
   * @throws InvalidKnobException naming the knob, the value and the rule
   */
  public static BatchingConfig apply(BatchingConfig base, Map<String, ?> values) {
    for (String k : values.keySet()) {
      if (!NAMES.contains(k)) {
        throw new InvalidKnobException(
            k, values.get(k), "is not a batching knob; expected one of " + NAMES);
      }
    }
    Duration delay = base.maxQueueDelay();
    Object d = values.get("maxQueueDelay");
    if (d != null) {
      try {
        delay = Durations.parse(d.toString());
      } catch (IllegalArgumentException e) {
        throw new InvalidKnobException("maxQueueDelay", "'" + d + "'", e.getMessage());
      }
    }
    return new BatchingConfig(
        integer(values, "maxBatchSize", base.maxBatchSize()),
        delay,
        integer(values, "maxQueueSize", base.maxQueueSize()),
        base.preferredBatchSizes());
  }

  private static int integer(Map<String, ?> values, String knob, int dflt) {
    Object v = values.get(knob);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Integer || v instanceof Long || v instanceof Short) {
      long l = ((Number) v).longValue();
      if (l == (int) l) {
        return (int) l;
      }
    }
    if (v instanceof CharSequence s && s.toString().trim().matches("-?\\d{1,9}")) {
      return Integer.parseInt(s.toString().trim());
    }
    throw new InvalidKnobException(knob, v, "must be an integer");
  }
}
