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
   * Loads one model version.
   *
   * @throws ModelLoadException saying what is wrong with the artifact or the device
   */
  LoadedModel load(ModelSource source);
}
