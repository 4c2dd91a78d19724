package dev.kairos.sdk.fuzz;

/** How long each fuzz test fuzzes when {@code JAZZER_FUZZ} is set in a plain build. */
final class FuzzBudget {
  /** Short enough for CI; the documented long run uses the standalone driver. */
  static final String CI = "5s";

  private FuzzBudget() {}
}
