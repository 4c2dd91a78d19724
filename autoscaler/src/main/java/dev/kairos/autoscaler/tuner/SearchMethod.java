package dev.kairos.autoscaler.tuner;

import java.util.Locale;
import java.util.function.Function;

/**
 * A way of choosing which settings of one model to replay. It spends the evaluator's budget; the
 * tuner then takes the best setting replayed over the whole trace.
 */
interface SearchMethod {
  void search(SearchSpace space, Evaluator evaluator, Function<Evaluation, Score> score, long seed);

  /** The methods by name: {@code evolution} (the default) or {@code grid}. */
  static SearchMethod named(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "evolution" -> new EvolutionarySearch();
      case "grid" -> new GridSearch();
      default ->
          throw new IllegalArgumentException(
              "search method '" + name + "' is not one of evolution, grid");
    };
  }
}
