package dev.kairos.autoscaler.tuner;

import dev.kairos.sdk.model.Durations;
import dev.kairos.sdk.model.InvalidKnobException;
import java.util.Locale;
import java.util.Set;

/**
 * One knob to search and the interval it is searched in, by its {@code model.yaml} name. Durations
 * are held in seconds. Whether the interval is allowed is decided by the platform's own validators
 * ({@link SearchSpace}), never here.
 *
 * @param knob the knob, e.g. {@code targetUtilizationPercentage}
 * @param low the smallest value tried
 * @param high the largest value tried
 */
public record KnobRange(String knob, double low, double high) {
  private static final Set<String> INTEGERS =
      Set.of("minReplicas", "maxReplicas", "initialScale", "activationScale", "maxBatchSize");
  private static final Set<String> DURATIONS =
      Set.of("stableWindow", "scaleToZeroAfter", "maxQueueDelay");
  private static final Set<String> MULTIPLICATIVE =
      Set.of("targetConcurrency", "maxScaleUpRate", "maxScaleDownRate", "maxBatchSize");

  public KnobRange {
    if (!(low <= high) || Double.isInfinite(low) || Double.isInfinite(high)) {
      throw new InvalidKnobException(
          knob, show(knob, low, high), "the range must go from low to high");
    }
  }

  /**
   * Parses {@code knob=low..high}, e.g. {@code scaleToZeroAfter=0s..30m} or {@code
   * targetUtilizationPercentage=40..100}.
   *
   * @throws InvalidKnobException naming the knob and what was expected
   */
  public static KnobRange parse(String text) {
    String s = text.trim();
    int eq = s.indexOf('=');
    int dots = s.indexOf("..");
    if (eq <= 0 || dots < eq) {
      throw new InvalidKnobException(
          eq > 0 ? s.substring(0, eq).trim() : s,
          "'" + s + "'",
          "expected knob=low..high, e.g. targetUtilizationPercentage=40..100");
    }
    String knob = s.substring(0, eq).trim();
    return new KnobRange(
        knob,
        number(knob, s.substring(eq + 1, dots).trim()),
        number(knob, s.substring(dots + 2).trim()));
  }

  private static double number(String knob, String v) {
    try {
      if (DURATIONS.contains(knob)) {
        return Durations.parse(v).toNanos() / 1e9;
      }
      return Double.parseDouble(v.endsWith("%") ? v.substring(0, v.length() - 1) : v);
    } catch (IllegalArgumentException e) {
      throw new InvalidKnobException(
          knob,
          "'" + v + "'",
          DURATIONS.contains(knob) ? e.getMessage() : "expected a number in the range");
    }
  }

  /** The value at {@code u} (0..1) of the range, rounded as a person would write it. */
  public Object value(double u) {
    double x;
    if (MULTIPLICATIVE.contains(knob) && low > 0) {
      x = Math.exp(Math.log(low) + u * (Math.log(high) - Math.log(low)));
    } else if (DURATIONS.contains(knob)) {
      // durations span orders of magnitude (0s..1h): even steps of log(1 + seconds)
      x = Math.expm1(Math.log1p(low) + u * (Math.log1p(high) - Math.log1p(low)));
    } else {
      x = low + u * (high - low);
    }
    x = Math.max(low, Math.min(high, x));
    if (INTEGERS.contains(knob)) {
      return (int) Math.max(Math.ceil(low), Math.min(Math.floor(high), Math.round(x)));
    }
    x = Math.max(low, Math.min(high, twoDigits(x)));
    if (DURATIONS.contains(knob)) {
      long nanos = x >= 1 ? Math.round(x) * 1_000_000_000L : Math.round(x * 1000) * 1_000_000L;
      return Durations.format(java.time.Duration.ofNanos(nanos));
    }
    return x;
  }

  /** Where {@code value} (as {@link #value} writes it) lies in the range, clamped to 0..1. */
  public double unit(Object value) {
    double x =
        value instanceof Number n
            ? n.doubleValue()
            : DURATIONS.contains(knob)
                ? Durations.parse(value.toString()).toNanos() / 1e9
                : Double.parseDouble(value.toString());
    if (high == low) {
      return 0.5;
    }
    double u;
    if (MULTIPLICATIVE.contains(knob) && low > 0) {
      u = (Math.log(Math.max(x, low)) - Math.log(low)) / (Math.log(high) - Math.log(low));
    } else if (DURATIONS.contains(knob)) {
      u = (Math.log1p(x) - Math.log1p(low)) / (Math.log1p(high) - Math.log1p(low));
    } else {
      u = (x - low) / (high - low);
    }
    return Math.max(0, Math.min(1, u));
  }

  /** The range as written on a command line: {@code scaleToZeroAfter=0s..30m}. */
  @Override
  public String toString() {
    return knob + "=" + show(knob, low, high);
  }

  private static double twoDigits(double x) {
    return new java.math.BigDecimal(x).round(new java.math.MathContext(2)).doubleValue();
  }

  private static String show(String knob, double low, double high) {
    return one(knob, low) + ".." + one(knob, high);
  }

  private static String one(String knob, double v) {
    if (DURATIONS.contains(knob) && v >= 0 && !Double.isInfinite(v)) {
      return Durations.format(java.time.Duration.ofNanos(Math.round(v * 1e9)));
    }
    return v == Math.rint(v) && Math.abs(v) < 1e15
        ? String.valueOf((long) v)
        : String.format(Locale.ROOT, "%s", v);
  }
}
