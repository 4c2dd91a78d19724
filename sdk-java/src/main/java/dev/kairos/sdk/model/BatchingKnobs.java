package dev.kairos.sdk.model;

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
    return new BatchingConfig(
        KnobValues.integer(values, "maxBatchSize", base.maxBatchSize()),
        KnobValues.duration(values, "maxQueueDelay", base.maxQueueDelay()),
        KnobValues.integer(values, "maxQueueSize", base.maxQueueSize()),
        base.preferredBatchSizes());
  }
}
