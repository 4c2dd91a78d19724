package dev.kairos.console;

import java.util.Optional;

/** The generative engines' state per model, for the console's model page. */
@FunctionalInterface
public interface GenerationView {
  /** The model's engine status; empty when it is not a text-generation model or not running. */
  Optional<GenerationStatus> generation(String model);

  /** No generative models known. */
  static GenerationView none() {
    return model -> Optional.empty();
  }
}
