package dev.kairos.runtime.engine;

/**
 * An inference engine plug-in, found through {@link java.util.ServiceLoader}. Constructing one must
 * be cheap and must not load native libraries: that happens in {@link #load}, only for models that
 * use the engine.
 */
public interface Engine {
  /** The name used in {@code model.yaml}'s {@code engine:} field, e.g. {@code onnxruntime}. */
  String name();

  /**
   * Loads the engine's native libraries and process-wide state before any model, so that a runtime
   * host's first model of this engine neither waits for them nor counts them in its footprint.
   * Engines with nothing to start keep the no-op.
   *
   * @param threads engine threads per model, for engines whose thread pools are process-wide
   * @throws ModelLoadException when the engine cannot start here
   */
  default void start(int threads) {}

  /**
   * Loads one model version.
   *
   * @throws ModelLoadException saying what is wrong with the artifact or the device
   */
  LoadedModel load(ModelSource source);

  /**
   * Does ahead of a model version's first load the work its later loads can reuse, without keeping
   * the model loaded: ONNX Runtime's graph optimisation, kept on disk. Engines that keep nothing
   * between loads keep the no-op.
   *
   * @return whether there was anything to do (false: nothing is kept for this model, or it was kept
   *     already)
   * @throws ModelLoadException saying what is wrong with the artifact
   */
  default boolean prepare(ModelSource source) {
    return false;
  }
}
