package dev.kairos.autoscaler.tuner;

import java.util.Locale;

/**
 * What a search minimises: replica-seconds, cold starts, or a weighted mix (a cold start priced in
 * replica-seconds). Replica-seconds break ties, so that among settings with as few cold starts the
 * cheaper one wins.
 *
 * @param replicaSecondWeight weight of one replica-second
 * @param coldStartWeight weight of one cold start
 */
public record Objective(double replicaSecondWeight, double coldStartWeight) {
  public static final Objective REPLICA_SECONDS = new Objective(1, 0);
  public static final Objective COLD_STARTS = new Objective(0, 1);

  public Objective {
    if (!(replicaSecondWeight >= 0) || !(coldStartWeight >= 0)) {
      throw new IllegalArgumentException("objective weights must be >= 0");
    }
    if (replicaSecondWeight + coldStartWeight == 0) {
      throw new IllegalArgumentException("an objective needs a positive weight");
    }
  }

  /**
   * Parses {@code replica-seconds}, {@code cold-starts}, or {@code mix:W} (a cold start weighs W
   * replica-seconds).
   */
  public static Objective parse(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    if (s.equals("replica-seconds")) {
      return REPLICA_SECONDS;
    }
    if (s.equals("cold-starts")) {
      return COLD_STARTS;
    }
    if (s.startsWith("mix:")) {
      try {
        double w = Double.parseDouble(s.substring(4));
        if (w >= 0 && !Double.isInfinite(w)) {
          return new Objective(1, w);
        }
      } catch (NumberFormatException e) {
        // falls through
      }
    }
    throw new IllegalArgumentException(
        "objective '"
            + text
            + "' is not one of replica-seconds, cold-starts, mix:W (a cold start weighs W"
            + " replica-seconds)");
  }

  public double cost(Evaluation e) {
    return replicaSecondWeight * e.replicaSeconds() + coldStartWeight * e.coldStarts();
  }

  @Override
  public String toString() {
    if (coldStartWeight == 0) {
      return "replica-seconds";
    }
    if (replicaSecondWeight == 0) {
      return "cold starts";
    }
    return "replica-seconds + " + fmt(coldStartWeight / replicaSecondWeight) + " x cold starts";
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }
}
