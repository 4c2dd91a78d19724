package dev.kairos.autoscaler.tuner;

/**
 * What a search aims at: the cheapest settings (by the objective) whose SLO attainment reaches a
 * target, model by model or over every model's requests together. The SLO's wait bound is the
 * replay's ({@code SimulationOptions.sloWaitSeconds}).
 *
 * @param objective what to minimise
 * @param attainment the share of requests (0..1) that must meet the SLO; NaN for "at least what the
 *     current settings attain"
 * @param fleet whether the share is over every model's requests together: each model's search then
 *     explores around the target, and {@link FleetAllocation} picks one setting per model
 */
public record Goal(Objective objective, double attainment, boolean fleet) {
  public Goal {
    if (!Double.isNaN(attainment) && !(attainment >= 0 && attainment <= 1)) {
      throw new IllegalArgumentException(
          "attainment target = " + attainment + ", must be between 0 and 1 (e.g. 0.99 for 99%)");
    }
  }

  /** A goal model by model. */
  public Goal(Objective objective, double attainment) {
    this(objective, attainment, false);
  }

  /** The attainment target of a model's search, whose current setting attains {@code current}. */
  public double target(Evaluation current) {
    return Double.isNaN(attainment) ? current.attainment() : attainment;
  }
}
