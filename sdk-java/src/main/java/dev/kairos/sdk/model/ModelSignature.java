package dev.kairos.sdk.model;

import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
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

  /**
   * Checks a model's answer against the declared outputs: each output declared, with the declared
   * datatype and a compatible shape, and every output the request asked for produced. A mismatch is
   * the model's fault, not the client's, so it is reported rather than thrown as bad input.
   *
   * @return what is wrong, naming the output, or null when the response fits
   */
  public String outputMismatch(InferenceRequest request, InferenceResponse response) {
    for (Tensor t : response.outputs()) {
      TensorSpec spec = output(t.name());
      if (spec == null) {
        return "output '" + t.name() + "' is not declared (declared: " + names(outputs) + ")";
      }
      if (spec.datatype() != t.datatype()) {
        return "output '" + t.name() + "' is " + t.datatype() + ", declared " + spec.datatype();
      }
      if (!Shapes.matches(spec.shape(), t.shape())) {
        return "output '"
            + t.name()
            + "' has shape "
            + Shapes.format(t.shape())
            + ", declared "
            + Shapes.format(spec.shape());
      }
    }
    for (RequestedOutput o : request.outputs()) {
      if (response.outputs().stream().noneMatch(t -> t.name().equals(o.name()))) {
        return "output '" + o.name() + "' was asked for but not produced";
      }
    }
    return null;
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
