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

  /** The largest batch {@code model.yaml} allows. */
  public static final int MAX_BATCH_SIZE = 4096;

  private BatchingKnobs() {}

  /**
   * Returns {@code base} with the given knobs changed.
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
    int max = integer(values, "maxBatchSize", base.maxBatchSize());
    between("maxBatchSize", max, 1, MAX_BATCH_SIZE);
    int queue = integer(values, "maxQueueSize", base.maxQueueSize());
    between("maxQueueSize", queue, 1, 1_000_000);
    Duration delay = base.maxQueueDelay();
    Object d = values.get("maxQueueDelay");
    if (d != null) {
      try {
        delay = Durations.parse(d.toString());
      } catch (IllegalArgumentException e) {
        throw new InvalidKnobException("maxQueueDelay", "'" + d + "'", e.getMessage());
      }
    }
    for (int p : base.preferredBatchSizes()) {
      if (p < 1 || p > max) {
        throw new InvalidKnobException(
            "preferredBatchSizes",
            base.preferredBatchSizes(),
            "each must be between 1 and maxBatchSize (" + max + ")");
      }
    }
    return new BatchingConfig(max, delay, queue, base.preferredBatchSizes());
  }

  private static void between(String knob, int v, int min, int max) {
    if (v < min || v > max) {
      throw new InvalidKnobException(knob, v, "must be between " + min + " and " + max);
    }
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
