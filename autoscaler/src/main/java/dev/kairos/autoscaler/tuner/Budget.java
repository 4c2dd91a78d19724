package dev.kairos.autoscaler.tuner;

import java.time.Duration;

/**
 * How much a search may spend.
 *
 * @param replaysPerModel replays of each model, counted in whole-trace equivalents (a replay of a
 *     third of the trace counts a third); at least 1, which replays only the current setting
 * @param wallTime the whole search stops replaying after this long (null: no limit). A search cut
 *     short by time is not reproducible; one bounded by replays is, for a given seed.
 */
public record Budget(double replaysPerModel, Duration wallTime) {
  public Budget {
    if (!(replaysPerModel >= 1) || Double.isInfinite(replaysPerModel)) {
      throw new IllegalArgumentException(
          "budget = " + replaysPerModel + " replays per model, must be >= 1");
    }
    if (wallTime != null && (wallTime.isNegative() || wallTime.isZero())) {
      throw new IllegalArgumentException("wall-time budget must be positive");
    }
  }
}
