package dev.kairos.autoscaler.tuner;

/**
 * How good an evaluation is for a goal; lower is better. A setting that meets the attainment target
 * beats every one that does not; among those that meet it the cheaper wins; among those that do
 * not, the one closer to the target.
 */
record Score(boolean meets, double shortfall, double cost, double replicaSeconds)
    implements Comparable<Score> {
  /** What a setting the search could not replay scores: behind everything. */
  static final Score WORST =
      new Score(
          false, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY);

  static Score of(Evaluation e, Objective objective, double target) {
    double a = e.attainment();
    boolean meets = a >= target - 1e-12;
    return new Score(meets, meets ? 0 : target - a, objective.cost(e), e.replicaSeconds());
  }

  @Override
  public int compareTo(Score o) {
    if (meets != o.meets) {
      return meets ? -1 : 1;
    }
    if (!meets) {
      int c = Double.compare(shortfall, o.shortfall);
      if (c != 0) {
        return c;
      }
    }
    int c = Double.compare(cost, o.cost);
    return c != 0 ? c : Double.compare(replicaSeconds, o.replicaSeconds);
  }
}
