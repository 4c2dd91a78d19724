package dev.kairos.sdk.oip;

import dev.kairos.sdk.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An Open Inference Protocol v2 inference request.
 *
 * @param id optional client-chosen id, echoed in the response; may be null
 * @param parameters request parameters (e.g. {@code timeout}, {@code binary_data_output})
 * @param inputs the input tensors, in request order
 * @param outputs the outputs asked for; empty means all
 */
public record InferenceRequest(
    String id, Map<String, Object> parameters, List<Tensor> inputs, List<RequestedOutput> outputs) {
  public InferenceRequest {
    parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
    inputs = List.copyOf(inputs);
    outputs = outputs == null ? List.of() : List.copyOf(outputs);
  }

  public static InferenceRequest of(Tensor... inputs) {
    return new InferenceRequest(null, Map.of(), List.of(inputs), List.of());
  }

  /** The input with this name, if present. */
  public Optional<Tensor> input(String name) {
    for (Tensor t : inputs) {
      if (t.name().equals(name)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /**
   * The input with this name.
   *
   * @throws InvalidInputException naming the missing input
   */
  public Tensor requireInput(String name) {
    return input(name).orElseThrow(() -> new InvalidInputException("missing input '" + name + "'"));
  }
}
