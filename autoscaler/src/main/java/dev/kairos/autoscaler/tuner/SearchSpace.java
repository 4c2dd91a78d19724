package dev.kairos.autoscaler.tuner;

import dev.kairos.autoscaler.simulator.BatchLatencies;
import dev.kairos.sdk.model.BatchingConfig;
import dev.kairos.sdk.model.BatchingKnobs;
import dev.kairos.sdk.model.Durations;
import dev.kairos.sdk.model.InvalidKnobException;
import dev.kairos.sdk.model.ScalingConfig;
import dev.kairos.sdk.model.ScalingKnobs;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The knobs a search may turn for one model, on top of its current configuration. Every setting it
 * yields has gone through the platform's own validator ({@link ScalingKnobs#apply}, the one behind
 * {@code model.yaml}, the admin API and {@code kairos scale}), so a search never proposes a setting
 * the platform would refuse. A range with an end no setting of the search could hold is refused
 * here, naming the knob and the rule; an end that only clashes with some values of another knob (a
 * 6 s stable window with a 10% panic window) is kept, and the settings where it clashes skipped.
 */
public final class SearchSpace {
  /**
   * The scaling knobs searched when none are named: the ones that move cost and cold starts most on
   * the Azure Functions replay, over intervals inside the platform's rules.
   */
  public static final List<KnobRange> DEFAULT_SCALING =
      List.of(
          new KnobRange("targetUtilizationPercentage", 30, 100),
          new KnobRange("stableWindow", 10, 300),
          new KnobRange("panicThresholdPercentage", 110, 400),
          new KnobRange("scaleToZeroAfter", 0, 1800),
          new KnobRange("minReplicas", 0, 1));

  private final ScalingConfig base;
  private final BatchingConfig batching;
  private final BatchLatencies profile;
  private final List<KnobRange> ranges;

  /** A space without batching: the model has no profile. */
  public SearchSpace(ScalingConfig base, BatchingConfig batching, List<KnobRange> ranges) {
    this(base, batching, null, ranges);
  }

  /**
   * @throws InvalidKnobException when a range names an unknown knob, twice the same knob, or an end
   *     the platform's rules refuse
   */
  public SearchSpace(
      ScalingConfig base, BatchingConfig batching, BatchLatencies profile, List<KnobRange> ranges) {
    this.base = base;
    this.batching = batching;
    this.profile = profile;
    this.ranges = List.copyOf(ranges);
    Set<String> seen = new HashSet<>();
    for (KnobRange r : this.ranges) {
      if (!seen.add(r.knob())) {
        throw new InvalidKnobException(r.knob(), r.toString(), "is given twice");
      }
      if (!ScalingKnobs.NAMES.contains(r.knob()) && !BatchingKnobs.NAMES.contains(r.knob())) {
        List<String> all = new ArrayList<>(ScalingKnobs.NAMES);
        all.addAll(BatchingKnobs.NAMES);
        throw new InvalidKnobException(
            r.knob(), r.toString(), "is not a knob the search can turn; expected one of " + all);
      }
      if (BatchingKnobs.NAMES.contains(r.knob()) && profile == null) {
        throw new InvalidKnobException(
            r.knob(),
            r.toString(),
            "needs the model's profile (latency per batch size, from kairos profile) to be"
                + " searched");
      }
    }
    for (KnobRange r : this.ranges) {
      for (double u : new double[] {0, 1}) {
        refuseIfNeverValid(r, r.value(u));
      }
    }
  }

  /**
   * An end of a range is allowed when the platform accepts it alone on the current setting, or with
   * the other searched knobs all at their low or all at their high ends; otherwise no setting of
   * the search could hold it.
   */
  private void refuseIfNeverValid(KnobRange r, Object v) {
    InvalidKnobException first = null;
    for (double others : new double[] {Double.NaN, 0, 1}) {
      Map<String, Object> knobs = new LinkedHashMap<>();
      if (!Double.isNaN(others)) {
        for (KnobRange o : ranges) {
          knobs.put(o.knob(), o.value(others));
        }
      }
      knobs.put(r.knob(), v);
      try {
        setting(knobs);
        return;
      } catch (InvalidKnobException e) {
        first = first == null ? e : first;
      }
    }
    throw new InvalidKnobException(
        r.knob(),
        r.toString().substring(r.knob().length() + 1),
        "leaves what model.yaml allows: at " + v + ", " + first.getMessage());
  }

  public List<KnobRange> ranges() {
    return ranges;
  }

  public int dimensions() {
    return ranges.size();
  }

  /** The model's current setting. */
  public Setting current() {
    return new Setting(Map.of(), base, batching);
  }

  /**
   * The setting at {@code point} of the unit cube (one coordinate per range), or empty when the
   * platform would refuse the combination (e.g. a panic window under 1 s).
   */
  public Optional<Setting> decode(double[] point) {
    Map<String, Object> knobs = new LinkedHashMap<>();
    for (int i = 0; i < ranges.size(); i++) {
      knobs.put(ranges.get(i).knob(), ranges.get(i).value(point[i]));
    }
    try {
      return Optional.of(setting(knobs));
    } catch (InvalidKnobException e) {
      return Optional.empty();
    }
  }

  /** The knobs through the platform's validators: scaling and batching each through its own. */
  private Setting setting(Map<String, Object> knobs) {
    Map<String, Object> scaling = new LinkedHashMap<>();
    Map<String, Object> batch = new LinkedHashMap<>();
    knobs.forEach((k, v) -> (BatchingKnobs.NAMES.contains(k) ? batch : scaling).put(k, v));
    return new Setting(
        knobs, ScalingKnobs.apply(base, scaling), BatchingKnobs.apply(batching, batch));
  }

  /** The model's profile, or null when its requests are not batched in replays. */
  public BatchLatencies profile() {
    return profile;
  }

  /** The point of the unit cube nearest the current setting. */
  public double[] currentPoint() {
    Map<String, Object> now = new LinkedHashMap<>(base.knobs());
    now.put("maxBatchSize", batching.maxBatchSize());
    now.put("maxQueueDelay", Durations.format(batching.maxQueueDelay()));
    now.put("maxQueueSize", batching.maxQueueSize());
    double[] p = new double[ranges.size()];
    for (int i = 0; i < p.length; i++) {
      p[i] = ranges.get(i).unit(now.get(ranges.get(i).knob()));
    }
    return p;
  }

  /** Knob names, for reports. */
  public List<String> knobs() {
    List<String> out = new ArrayList<>();
    ranges.forEach(r -> out.add(r.knob()));
    return out;
  }
}
