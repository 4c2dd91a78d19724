package dev.kairos.multiplexer.arbiter.policy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * Device time divided between models by weight (start-time fair queueing): each slice gets a start
 * tag {@code max(V, last finish tag of its model)} and a finish tag {@code start + estimate /
 * weight}; the smallest start tag runs next and {@code V} becomes its start tag. A model that was
 * idle does not bank credit, and a model with weight 2 gets twice the device time of one with
 * weight 1 when both are busy.
 */
public final class WeightedSharePolicy implements SlicePolicy {
  private final ToIntFunction<String> weightOfModel;
  private final Map<String, Double> lastFinish = new HashMap<>();
  private final Map<Long, Double> startTags = new HashMap<>();
  private double virtualTime;

  /**
   * @param weightOfModel each model's weight, >= 1
   */
  public WeightedSharePolicy(ToIntFunction<String> weightOfModel) {
    this.weightOfModel = weightOfModel;
  }

  /** Weights from the requests' priorities: weight = max(1, priority). */
  public static WeightedSharePolicy byPriority(Map<String, Integer> weights) {
    return new WeightedSharePolicy(m -> Math.max(1, weights.getOrDefault(m, 1)));
  }

  @Override
  public String name() {
    return "weighted";
  }

  private double startTag(PendingSlice p) {
    Double s = startTags.get(p.id());
    if (s == null) {
      s = Math.max(virtualTime, lastFinish.getOrDefault(p.model(), 0.0));
      startTags.put(p.id(), s);
      lastFinish.put(p.model(), s + p.estimatedNanos() / (double) weight(p.model()));
    }
    return s;
  }

  private int weight(String model) {
    int w = weightOfModel.applyAsInt(model);
    if (w < 1) {
      throw new IllegalArgumentException(
          "weight of model '" + model + "' = " + w + ", must be >= 1");
    }
    return w;
  }

  @Override
  public void onArrival(PendingSlice slice, long nowNanos) {
    startTag(slice);
  }

  @Override
  public void onDropped(PendingSlice slice) {
    startTags.remove(slice.id());
  }

  @Override
  public int choose(List<PendingSlice> waiting, long nowNanos) {
    int best = 0;
    double bestTag = startTag(waiting.get(0));
    for (int i = 1; i < waiting.size(); i++) {
      double t = startTag(waiting.get(i));
      if (t < bestTag) {
        best = i;
        bestTag = t;
      }
    }
    virtualTime = bestTag;
    startTags.remove(waiting.get(best).id());
    return best;
  }

  @Override
  public long estimatedWaitNanos(
      List<PendingSlice> waiting, PendingSlice newcomer, long busyRemainingNanos, long nowNanos) {
    double mine = Math.max(virtualTime, lastFinish.getOrDefault(newcomer.model(), 0.0));
    long wait = busyRemainingNanos;
    for (PendingSlice p : waiting) {
      if (startTag(p) <= mine) {
        wait += p.estimatedNanos();
      }
    }
    return wait;
  }
}
