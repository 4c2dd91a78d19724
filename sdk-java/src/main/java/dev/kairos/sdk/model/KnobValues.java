package dev.kairos.sdk.model;

import java.time.Duration;
import java.util.Map;

/**
 * Reads one knob from a name → value map as {@link ScalingKnobs} and {@link BatchingKnobs} accept
 * it: a number or its text, with an error naming the knob, the value and the rule.
 */
final class KnobValues {
  private KnobValues() {}

  static int integer(Map<String, ?> values, String knob, int dflt) {
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
    throw new InvalidKnobException(knob, show(v), "must be an integer");
  }

  static Duration duration(Map<String, ?> values, String knob, Duration dflt) {
    Object v = values.get(knob);
    if (v == null) {
      return dflt;
    }
    try {
      return Durations.parse(v.toString());
    } catch (IllegalArgumentException e) {
      throw new InvalidKnobException(knob, show(v), e.getMessage());
    }
  }

  /** Text values are quoted in errors so that {@code '8 '} and {@code 8} read differently. */
  static String show(Object v) {
    return v instanceof CharSequence ? "'" + v + "'" : String.valueOf(v);
  }
}
