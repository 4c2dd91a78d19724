package dev.kairos.sdk.model;

import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InvalidInputException;
import dev.kairos.sdk.oip.RequestedOutput;
import dev.kairos.sdk.tensor.Shapes;
import dev.kairos.sdk.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The inputs a model accepts and the outputs it produces. */
public record ModelSignature(List<TensorSpec> inputs, List<TensorSpec> outputs) {
  public ModelSignature {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  /**
   * Checks a request against this signature: every declared input present exactly once, no unknown
   * input, datatypes equal, shapes compatible (-1 matches any size), requested outputs known.
   *
   * @throws InvalidInputException whose message names the input and says expected vs got
   */
  public void validate(InferenceRequest request) {
    Set<String> seen = new HashSet<>();
    for (Tensor t : request.inputs()) {
      TensorSpec spec = input(t.name());
      if (spec == null) {
        throw new InvalidInputException(
            "unknown input '" + t.name() + "', expected inputs " + names(inputs));
      }
      if (!seen.add(t.name())) {
        throw new InvalidInputException("input '" + t.name() + "' appears more than once");
      }
      if (t.datatype() != spec.datatype()) {
        throw new InvalidInputException(
            "input '"
                + t.name()
                + "': expected datatype "
                + spec.datatype()
                + ", got "
                + t.datatype());
      }
      if (!Shapes.matches(spec.shape(), t.shape())) {
        throw new InvalidInputException(
            "input '"
                + t.name()
                + "': expected shape "
                + Shapes.format(spec.shape())
                + ", got "
                + Shapes.format(t.shape()));
      }
    }
    for (TensorSpec spec : inputs) {
      if (!seen.contains(spec.name())) {
        throw new InvalidInputException("missing input '" + spec.name() + "' (" + spec + ")");
      }
    }
    for (RequestedOutput o : request.outputs()) {
      if (output(o.name()) == null) {
        throw new InvalidInputException(
            "unknown output '" + o.name() + "', model outputs are " + names(outputs));
      }
    }
  }

  public TensorSpec input(String name) {
    return find(inputs, name);
  }

  public TensorSpec output(String name) {
    return find(outputs, name);
  }

  private static TensorSpec find(List<TensorSpec> specs, String name) {
    for (TensorSpec s : specs) {
      if (s.name().equals(name)) {
        return s;
      }
    }
    return null;
  }

  private static List<String> names(List<TensorSpec> specs) {
    List<String> out = new ArrayList<>(specs.size());
    for (TensorSpec s : specs) {
      out.add(s.name());
    }
    return out;
  }
}
