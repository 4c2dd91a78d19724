package dev.kairos.autoscaler.tuner;

import java.util.function.Function;

/**
 * The baseline: an even grid over every range, as many points per knob as the budget allows, each
 * replayed over the whole trace. Points the platform would refuse are skipped (they cost nothing).
 */
final class GridSearch implements SearchMethod {
  @Override
  public void search(
      SearchSpace space, Evaluator evaluator, Function<Evaluation, Score> score, long seed) {
    int d = space.dimensions();
    if (d == 0) {
      return;
    }
    int budget = (int) Math.floor(evaluator.budgetLeft());
    int perKnob = Math.max(1, (int) Math.floor(Math.pow(budget, 1.0 / d) + 1e-9));
    int[] at = new int[d];
    while (true) {
      double[] point = new double[d];
      for (int i = 0; i < d; i++) {
        point[i] = perKnob == 1 ? 0.5 : (double) at[i] / (perKnob - 1);
      }
      space.decode(point).ifPresent(s -> evaluator.evaluate(s, 1.0));
      int i = 0;
      while (i < d && ++at[i] == perKnob) {
        at[i++] = 0;
      }
      if (i == d || !evaluator.affords(1.0)) {
        return;
      }
    }
  }
}
