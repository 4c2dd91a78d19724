package dev.kairos.autoscaler.tuner;

/**
 * What a search aims at for each model: the cheapest setting (by the objective) whose SLO
 * attainment reaches a target. The SLO's wait bound is the replay's ({@code
 * SimulationOptions.sloWaitSeconds}).
 *
 * @param objective what to minimise
 * @param attainment the share of requests (0..1) that must meet the SLO; NaN for "at least what the
 *     model's current setting attains"
 */
public record Goal(Objective objective, double attainment) {
  public Goal {
    if (!Double.isNaN(attainment) && !(attainment >= 0 && attainment <= 1)) {
      throw new IllegalArgumentException(
          "attainment target = " + attainment + ", must be between 0 and 1 (e.g. 0.99 for 99%)");
    }
  }

  /** The attainment target of a model whose current setting attains {@code current}. */
  public double target(Evaluation current) {
    return Double.isNaN(attainment) ? current.attainment() : attainment;
  }
}
