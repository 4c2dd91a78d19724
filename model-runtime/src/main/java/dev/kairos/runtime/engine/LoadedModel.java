package dev.kairos.runtime.engine;

import dev.kairos.runtime.batch.BatchTensors;
import dev.kairos.sdk.model.ModelSignature;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import java.util.List;

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

  /**
   * Runs several requests as one batch. The batcher only groups requests with the same inputs apart
   * from dimension 0 ({@link BatchTensors#batchKey}); the default concatenates them along it, runs
   * {@link #infer} once and splits the outputs. Engines that batch differently override it.
   *
   * @return one response per request, in order
   */
  default List<InferenceResponse> inferBatch(List<InferenceRequest> requests) {
    if (requests.size() == 1) {
      return List.of(infer(requests.get(0)));
    }
    int[] rows = new int[requests.size()];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = BatchTensors.rows(requests.get(i));
    }
    return BatchTensors.split(infer(BatchTensors.concat(requests)), rows);
  }

  /** Frees the engine's memory. */
  @Override
  void close();
}
