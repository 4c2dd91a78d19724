package dev.kairos.sdk.model;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model's autoscaling knobs: Knative's KPA set, with its defaults and its validation rules. The
 * same rules serve {@code model.yaml}, the admin API and {@code kairos scale}: build or change a
 * config through {@link ScalingKnobs#apply}, which names the knob, the value and the rule it
 * breaks.
 *
 * @param minReplicas never fewer (default 0: scale to zero)
 * @param maxReplicas never more (default 4)
 * @param initialScale replicas started when the model is first served (default 1, clamped into
 *     [minReplicas, maxReplicas])
 * @param targetConcurrency in-flight requests per replica the autoscaler aims at (default 8)
 * @param targetUtilizationPercentage share of {@code targetConcurrency} actually aimed at, so that
 *     bursts find headroom (default 70)
 * @param stableWindow the window concurrency is averaged over in stable mode (default 60s)
 * @param panicWindowPercentage the panic window as a share of the stable window (default 10)
 * @param panicThresholdPercentage panic mode starts when the panic-window concurrency reaches this
 *     share of what the ready replicas can take (default 200)
 * @param maxScaleUpRate at most this many times the ready replicas in one decision (default 1000)
 * @param maxScaleDownRate at most divide the ready replicas by this in one decision (default 2)
 * @param scaleToZeroAfter the last replica goes only after the model has wanted none for this long
 *     (default 30s)
 * @param activationScale replicas started at least when scaling up from zero (default 1)
 */
public record ScalingConfig(
    int minReplicas,
    int maxReplicas,
    int initialScale,
    double targetConcurrency,
    double targetUtilizationPercentage,
    Duration stableWindow,
    double panicWindowPercentage,
    double panicThresholdPercentage,
    double maxScaleUpRate,
    double maxScaleDownRate,
    Duration scaleToZeroAfter,
    int activationScale) {

  /** Knative's defaults, with Kairos' replica bounds and per-replica target. */
  public static final ScalingConfig DEFAULT =
      new ScalingConfig(
          0,
          4,
          1,
          8.0,
          70.0,
          Duration.ofSeconds(60),
          10.0,
          200.0,
          1000.0,
          2.0,
          Duration.ofSeconds(30),
          1);

  /**
   * @throws InvalidKnobException naming the first knob that breaks its rule
   */
  public ScalingConfig {
    atLeast("minReplicas", minReplicas, 0);
    atLeast("maxReplicas", maxReplicas, 1);
    if (maxReplicas < minReplicas) {
      throw new InvalidKnobException(
          "maxReplicas", maxReplicas, "must be >= minReplicas (" + minReplicas + ")");
    }
    if (initialScale < minReplicas || initialScale > maxReplicas) {
      throw new InvalidKnobException(
          "initialScale",
          initialScale,
          "must be between minReplicas ("
              + minReplicas
              + ") and maxReplicas ("
              + maxReplicas
              + ")");
    }
    between("targetConcurrency", targetConcurrency, 0.01, 1e6);
    between("targetUtilizationPercentage", targetUtilizationPercentage, 1, 100);
    if (stableWindow == null
        || stableWindow.compareTo(Duration.ofSeconds(6)) < 0
        || stableWindow.compareTo(Duration.ofHours(1)) > 0) {
      throw new InvalidKnobException(
          "stableWindow", show(stableWindow), "must be between 6s and 1h");
    }
    between("panicWindowPercentage", panicWindowPercentage, 1, 100);
    Duration panic = panicWindow(stableWindow, panicWindowPercentage);
    if (panic.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new InvalidKnobException(
          "panicWindowPercentage",
          num(panicWindowPercentage),
          "gives a panic window of "
              + Durations.format(panic)
              + " with stableWindow "
              + Durations.format(stableWindow)
              + ", must give at least 1s");
    }
    between("panicThresholdPercentage", panicThresholdPercentage, 110, 1000);
    greaterThanOne("maxScaleUpRate", maxScaleUpRate);
    greaterThanOne("maxScaleDownRate", maxScaleDownRate);
    if (scaleToZeroAfter == null
        || scaleToZeroAfter.isNegative()
        || scaleToZeroAfter.compareTo(Duration.ofHours(1)) > 0) {
      throw new InvalidKnobException(
          "scaleToZeroAfter", show(scaleToZeroAfter), "must be between 0s and 1h");
    }
    atLeast("activationScale", activationScale, 1);
    if (activationScale > maxReplicas) {
      throw new InvalidKnobException(
          "activationScale", activationScale, "must be <= maxReplicas (" + maxReplicas + ")");
    }
  }

  /** The legacy five-knob form; every other knob takes its default. */
  public ScalingConfig(
      int minReplicas,
      int maxReplicas,
      int initialScale,
      double targetConcurrency,
      Duration scaleToZeroAfter) {
    this(
        minReplicas,
        maxReplicas,
        initialScale,
        targetConcurrency,
        70.0,
        Duration.ofSeconds(60),
        10.0,
        200.0,
        1000.0,
        2.0,
        scaleToZeroAfter,
        1);
  }

  /** The concurrency per replica actually aimed at: target × utilisation. */
  public double effectiveTarget() {
    return targetConcurrency * targetUtilizationPercentage / 100.0;
  }

  /** The panic window: the stable window × {@code panicWindowPercentage}. */
  public Duration panicWindow() {
    return panicWindow(stableWindow, panicWindowPercentage);
  }

  /** Panic threshold as a ratio (2.0 for 200%). */
  public double panicThreshold() {
    return panicThresholdPercentage / 100.0;
  }

  /** Every knob by its {@code model.yaml} name, durations written as in {@code model.yaml}. */
  public Map<String, Object> knobs() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("minReplicas", minReplicas);
    m.put("maxReplicas", maxReplicas);
    m.put("initialScale", initialScale);
    m.put("targetConcurrency", targetConcurrency);
    m.put("targetUtilizationPercentage", targetUtilizationPercentage);
    m.put("stableWindow", Durations.format(stableWindow));
    m.put("panicWindowPercentage", panicWindowPercentage);
    m.put("panicThresholdPercentage", panicThresholdPercentage);
    m.put("maxScaleUpRate", maxScaleUpRate);
    m.put("maxScaleDownRate", maxScaleDownRate);
    m.put("scaleToZeroAfter", Durations.format(scaleToZeroAfter));
    m.put("activationScale", activationScale);
    return m;
  }

  private static Duration panicWindow(Duration stable, double percentage) {
    return Duration.ofNanos(Math.round(stable.toNanos() * percentage / 100.0));
  }

  private static void atLeast(String knob, int v, int min) {
    if (v < min) {
      throw new InvalidKnobException(knob, v, "must be >= " + min);
    }
  }

  private static void between(String knob, double v, double min, double max) {
    if (!(v >= min && v <= max)) {
      throw new InvalidKnobException(
          knob, num(v), "must be between " + num(min) + " and " + num(max));
    }
  }

  private static void greaterThanOne(String knob, double v) {
    if (!(v > 1.0) || Double.isInfinite(v)) {
      throw new InvalidKnobException(knob, num(v), "must be > 1.0");
    }
  }

  private static String show(Duration d) {
    return d == null ? "nothing" : d.isNegative() ? d.toString() : Durations.format(d);
  }

  static String num(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
  }
}
