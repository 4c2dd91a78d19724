package dev.kairos.runtime.engine;

import dev.kairos.sdk.model.ModelSignature;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;

/** A model version held by an engine. {@link #infer} may be called from several threads at once. */
public interface LoadedModel extends AutoCloseable {
  ModelSignature signature();

  /** The protocol's platform string, e.g. {@code onnx_onnxv1}. */
  String platform();

  /**
   * Runs the model on validated inputs; the response holds the requested outputs (all when none
   * were requested).
   *
   * @throws dev.kairos.sdk.oip.InvalidInputException when the input is wrong in a way only the
   *     engine can see
   * @throws EngineException when the engine or user code fails
   */
  InferenceResponse infer(InferenceRequest request);

  /** Frees the engine's memory. */
  @Override
  void close();
}
