package dev.kairos.autoscaler.tuner;

import java.util.List;
import java.util.function.Function;

/**
 * The outcome of a search over every model of a trace.
 *
 * @param models per model, in the trace's order
 * @param goal what was aimed at
 * @param wallSeconds how long the search took
 */
public record TuningResult(List<ModelRecommendation> models, Goal goal, double wallSeconds) {
  public TuningResult {
    models = List.copyOf(models);
  }

  /** Every model together under its current setting. */
  public Totals current() {
    return totals(ModelRecommendation::current);
  }

  /** Every model together under its recommended setting. */
  public Totals recommended() {
    return totals(ModelRecommendation::best);
  }

  public double replays() {
    return models.stream().mapToDouble(ModelRecommendation::replays).sum();
  }

  /** Models whose target no setting tried could meet. */
  public List<ModelRecommendation> unreachable() {
    return models.stream().filter(m -> !m.reachable()).toList();
  }

  private Totals totals(Function<ModelRecommendation, Evaluation> pick) {
    long requests = 0;
    long within = 0;
    double rs = 0;
    long cold = 0;
    for (ModelRecommendation m : models) {
      Evaluation e = pick.apply(m);
      requests += e.requests();
      within += e.withinSlo();
      rs += e.replicaSeconds();
      cold += e.coldStarts();
    }
    return new Totals(requests, within, rs, cold);
  }

  /**
   * Figures summed over models.
   *
   * @param requests requests replayed
   * @param withinSlo requests that met the SLO
   * @param replicaSeconds replica-seconds paid
   * @param coldStarts cold starts
   */
  public record Totals(long requests, long withinSlo, double replicaSeconds, long coldStarts) {
    public double attainment() {
      return requests == 0 ? 1.0 : (double) withinSlo / requests;
    }
  }
}
