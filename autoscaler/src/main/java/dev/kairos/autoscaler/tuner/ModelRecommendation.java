package dev.kairos.autoscaler.tuner;

import java.util.List;

/**
 * The outcome of one model's search.
 *
 * @param model the model
 * @param current its current setting, replayed over the whole trace
 * @param best the best setting replayed over the whole trace (the current one if nothing beat it)
 * @param target the attainment aimed at (the fleet's, when the SLO is over every model together)
 * @param reachable whether the target was met (by this model, or by the fleet); when not, {@link
 *     #best} is the best reachable
 * @param evaluated every setting replayed over the whole trace, for the frontier
 * @param replays replays spent, in whole-trace equivalents
 */
public record ModelRecommendation(
    String model,
    Evaluation current,
    Evaluation best,
    double target,
    boolean reachable,
    List<Evaluation> evaluated,
    double replays) {
  public ModelRecommendation {
    evaluated = List.copyOf(evaluated);
  }

  /** Whether the recommendation differs from the current setting. */
  public boolean changed() {
    return !best.setting().equals(current.setting());
  }

  /**
   * The settings no other beats on both cost and attainment, cheapest first.
   *
   * @param objective what cost means
   */
  public List<Evaluation> frontier(Objective objective) {
    List<Evaluation> sorted =
        evaluated.stream()
            .sorted(
                java.util.Comparator.comparingDouble(objective::cost)
                    .thenComparing(Evaluation::attainment, java.util.Comparator.reverseOrder()))
            .toList();
    List<Evaluation> out = new java.util.ArrayList<>();
    double bestAttainment = -1;
    for (Evaluation e : sorted) {
      if (e.attainment() > bestAttainment) {
        out.add(e);
        bestAttainment = e.attainment();
      }
    }
    return out;
  }
}
