package dev.kairos.sdk.model;

import java.util.List;
import java.util.Map;

/**
 * Sets scaling knobs by name: the one validator behind {@code model.yaml}'s {@code scaling:}, the
 * admin API and {@code kairos scale}. Values may be numbers or their text ({@code 8}, {@code "8"})
 * and durations are written as in {@code model.yaml} ({@code 60s}, {@code 500ms}).
 *
 * <pre>{@code
 * ScalingConfig tuned = ScalingKnobs.apply(current, Map.of("maxScaleDownRate", "4"));
 * }</pre>
 */
public final class ScalingKnobs {
  /** Every knob, in the order they are shown. */
  public static final List<String> NAMES = List.copyOf(ScalingConfig.DEFAULT.knobs().keySet());

  private ScalingKnobs() {}

  /**
   * Returns {@code base} with the given knobs changed. When {@code initialScale} is not given it is
   * clamped into the new [minReplicas, maxReplicas].
   *
   * @throws InvalidKnobException naming the knob, the value and the rule
   */
  public static ScalingConfig apply(ScalingConfig base, Map<String, ?> values) {
    for (String k : values.keySet()) {
      if (!NAMES.contains(k)) {
        throw new InvalidKnobException(
            k, KnobValues.show(values.get(k)), "is not a scaling knob; expected one of " + NAMES);
      }
    }
    int min = KnobValues.integer(values, "minReplicas", base.minReplicas());
    int max = KnobValues.integer(values, "maxReplicas", base.maxReplicas());
    int initial =
        values.containsKey("initialScale")
            ? KnobValues.integer(values, "initialScale", base.initialScale())
            : Math.max(min, Math.min(max, base.initialScale()));
    return new ScalingConfig(
        min,
        max,
        initial,
        number(values, "targetConcurrency", base.targetConcurrency()),
        number(values, "targetUtilizationPercentage", base.targetUtilizationPercentage()),
        KnobValues.duration(values, "stableWindow", base.stableWindow()),
        number(values, "panicWindowPercentage", base.panicWindowPercentage()),
        number(values, "panicThresholdPercentage", base.panicThresholdPercentage()),
        number(values, "maxScaleUpRate", base.maxScaleUpRate()),
        number(values, "maxScaleDownRate", base.maxScaleDownRate()),
        KnobValues.duration(values, "scaleToZeroAfter", base.scaleToZeroAfter()),
        KnobValues.integer(values, "activationScale", base.activationScale()));
  }

  /**
   * Parses {@code knob=value} assignments, as given on a command line.
   *
   * @throws InvalidKnobException for an assignment without {@code =}
   */
  public static Map<String, String> parseAssignments(List<String> assignments) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (String a : assignments) {
      for (String part : a.split(",")) {
        String s = part.trim();
        if (s.isEmpty()) {
          continue;
        }
        int eq = s.indexOf('=');
        if (eq <= 0) {
          throw new InvalidKnobException(s, "", "expected knob=value, e.g. maxScaleDownRate=4");
        }
        out.put(s.substring(0, eq).trim(), s.substring(eq + 1).trim());
      }
    }
    return out;
  }

  private static double number(Map<String, ?> values, String knob, double dflt) {
    Object v = values.get(knob);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    if (v instanceof CharSequence s) {
      String t = s.toString().trim();
      if (t.endsWith("%")) {
        t = t.substring(0, t.length() - 1).trim();
      }
      try {
        double d = Double.parseDouble(t);
        if (!Double.isNaN(d)) {
          return d;
        }
      } catch (NumberFormatException e) {
        // falls through to the error naming the knob
      }
    }
    throw new InvalidKnobException(knob, KnobValues.show(v), "must be a number");
  }
}
