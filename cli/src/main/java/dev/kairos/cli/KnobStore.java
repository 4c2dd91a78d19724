package dev.kairos.cli;

import dev.kairos.autoscaler.tuner.Setting;
import dev.kairos.sdk.model.ModelConfig;

/**
 * Where {@code kairos tune} reads each model's current knobs and writes the chosen ones: the model
 * repository's {@code model.yaml} files, or a running platform's admin API. A store remembers what
 * it read, and refuses to write over a model that changed since.
 */
interface KnobStore {
  /** The model's current configuration, or null when the store does not hold the model. */
  ModelConfig current(String model) throws Exception;

  /**
   * Writes {@code setting}'s knobs for {@code model}.
   *
   * @throws ModelChanged when the model's knobs changed since {@link #current} read them
   */
  void apply(String model, Setting setting) throws Exception;

  /** Where the store is, for messages. */
  String where();

  /** The model changed between the search's start and the apply; nothing was written. */
  final class ModelChanged extends Exception {
    ModelChanged(String message) {
      super(message);
    }
  }
}
