package dev.kairos.sdk.oip;

import dev.kairos.sdk.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An Open Inference Protocol v2 inference response. */
public record InferenceResponse(
    String modelName,
    String modelVersion,
    String id,
    Map<String, Object> parameters,
    List<Tensor> outputs) {
  public InferenceResponse {
    parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
    outputs = List.copyOf(outputs);
  }

  /** A response carrying only outputs; the runtime fills in model, version and id. */
  public static InferenceResponse of(Tensor... outputs) {
    return new InferenceResponse(null, null, null, Map.of(), List.of(outputs));
  }

  public Optional<Tensor> output(String name) {
    for (Tensor t : outputs) {
      if (t.name().equals(name)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /** The same outputs stamped with the serving model's identity and the request's id. */
  public InferenceResponse withIdentity(String model, String version, String requestId) {
    return new InferenceResponse(model, version, requestId, parameters, outputs);
  }
}
