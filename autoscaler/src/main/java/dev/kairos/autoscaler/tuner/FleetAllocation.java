package dev.kairos.autoscaler.tuner;

import java.util.ArrayList;
import java.util.List;

/**
 * Meets an SLO over every model together rather than model by model: picks, for each model, one of
 * the settings its search replayed so that the fleet's requests meet the attainment target at the
 * least total cost. A model whose requests are expensive to serve well may then give up a little
 * attainment that cheaper models make up for.
 *
 * <p>The choice is a Lagrangian relaxation of that knapsack: for a price λ of one request within
 * the SLO, each model takes the setting minimising {@code cost - λ × requests within the SLO}; λ is
 * the least price (found by bisection) at which the fleet meets the target. The relaxation can
 * overshoot (the choices jump at the price where the target is met), so the slack above the target
 * is then given back greedily: the switch to a cheaper setting that saves the most while the fleet
 * still meets the target, until none is left.
 */
final class FleetAllocation {
  private FleetAllocation() {}

  /**
   * @param models each model's search, with its current setting among the candidates
   * @param target share of all requests (0..1) that must meet the SLO
   * @return the models with {@code best} replaced by the fleet's choice and {@code target} by the
   *     fleet target
   */
  static List<ModelRecommendation> allocate(
      List<ModelRecommendation> models, Objective objective, double target) {
    long requests = models.stream().mapToLong(m -> m.current().requests()).sum();
    double needed = target * requests - 1e-9;
    double lo = 0;
    double hi = 1;
    while (within(pick(models, objective, hi)) < needed && hi < 1e15) {
      hi *= 4;
    }
    List<Evaluation> best = pick(models, objective, hi);
    for (int i = 0; i < 100 && within(best) >= needed; i++) {
      double mid = (lo + hi) / 2;
      List<Evaluation> p = pick(models, objective, mid);
      if (within(p) >= needed) {
        hi = mid;
        best = p;
      } else {
        lo = mid;
      }
    }
    boolean met = within(best) >= needed;
    if (met) {
      best = giveBackSlack(models, objective, new ArrayList<>(best), needed);
    }
    List<ModelRecommendation> out = new ArrayList<>();
    for (int i = 0; i < models.size(); i++) {
      ModelRecommendation m = models.get(i);
      out.add(
          new ModelRecommendation(
              m.model(), m.current(), best.get(i), target, met, m.evaluated(), m.replays()));
    }
    return out;
  }

  private static List<Evaluation> giveBackSlack(
      List<ModelRecommendation> models,
      Objective objective,
      List<Evaluation> picked,
      double needed) {
    double slack = within(picked) - needed;
    while (true) {
      int where = -1;
      Evaluation to = null;
      double saving = 0;
      for (int i = 0; i < models.size(); i++) {
        Evaluation now = picked.get(i);
        for (Evaluation e : candidates(models.get(i))) {
          double save = objective.cost(now) - objective.cost(e);
          if (save > saving && now.withinSlo() - e.withinSlo() <= slack) {
            where = i;
            to = e;
            saving = save;
          }
        }
      }
      if (where < 0) {
        return picked;
      }
      slack -= picked.get(where).withinSlo() - to.withinSlo();
      picked.set(where, to);
    }
  }

  private static List<Evaluation> candidates(ModelRecommendation m) {
    List<Evaluation> all = new ArrayList<>(m.evaluated());
    all.add(m.current());
    return all;
  }

  private static List<Evaluation> pick(
      List<ModelRecommendation> models, Objective objective, double price) {
    List<Evaluation> out = new ArrayList<>(models.size());
    for (ModelRecommendation m : models) {
      Evaluation chosen = m.current();
      double v = value(chosen, objective, price);
      for (Evaluation e : m.evaluated()) {
        double x = value(e, objective, price);
        if (x < v || (x == v && e.withinSlo() > chosen.withinSlo())) {
          chosen = e;
          v = x;
        }
      }
      out.add(chosen);
    }
    return out;
  }

  private static double value(Evaluation e, Objective objective, double price) {
    return objective.cost(e) - price * e.withinSlo();
  }

  private static double within(List<Evaluation> picked) {
    double w = 0;
    for (Evaluation e : picked) {
      w += e.withinSlo();
    }
    return w;
  }
}
