package dev.kairos.sdk.predictor;

import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * A model written in Java. Implement {@link #predict}; the runtime validates every request against
 * the signature declared in {@code model.yaml} before calling it, so the inputs are there, typed
 * and shaped as declared.
 *
 * <pre>{@code
 * public final class Doubler implements Predictor {
 *   public InferenceResponse predict(InferenceRequest request) {
 *     Tensor x = request.requireInput("x");
 *     float[] v = x.asFloatArray();
 *     for (int i = 0; i < v.length; i++) {
 *       v[i] *= 2;
 *     }
 *     return InferenceResponse.of(Tensor.ofFloats("y", x.shape(), v));
 *   }
 * }
 * }</pre>
 *
 * <p>The class is named in {@code model.yaml} ({@code engine: java}, {@code options: {class:
 * com.example.Doubler}}) or in the jar's {@code
 * META-INF/services/dev.kairos.sdk.predictor.Predictor}. It needs a public no-argument constructor.
 * {@code predict} may be called from several threads at once. An exception it throws becomes a 500
 * answer naming the model and the exception's message; the replica stays up. An {@link
 * dev.kairos.sdk.oip.InvalidInputException} becomes a 400 instead.
 *
 * <p>Files shipped beside the jar in the version folder (weights, labels, an ONNX file) are read in
 * {@link #load} through {@link ModelContext#resolve}. Test a predictor without a server with {@link
 * PredictorTester}, which runs it exactly as a replica would; generate a ready-to-deploy project
 * with the {@code kairos-model-archetype} Maven archetype.
 */
public interface Predictor extends AutoCloseable {
  /** Loads weights and other files; called once, before any request. */
  default void load(ModelContext context) throws Exception {}

  /** Answers one request. */
  InferenceResponse predict(InferenceRequest request) throws Exception;

  /**
   * Answers several requests at once when the model is configured for batching; the default calls
   * {@link #predict} for each. Override it when the model computes a batch faster than one by one.
   */
  default List<InferenceResponse> predictBatch(List<InferenceRequest> requests) throws Exception {
    List<InferenceResponse> out = new ArrayList<>(requests.size());
    for (InferenceRequest r : requests) {
      out.add(predict(r));
    }
    return out;
  }

  /** Frees what {@link #load} took; called once, when the version is unloaded. */
  @Override
  default void close() throws Exception {}
}
