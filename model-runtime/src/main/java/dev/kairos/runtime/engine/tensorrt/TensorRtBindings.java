package dev.kairos.runtime.engine.tensorrt;

import dev.kairos.runtime.engine.ModelLoadException;
import dev.kairos.sdk.model.ModelSignature;
import dev.kairos.sdk.model.TensorSpec;
import dev.kairos.sdk.tensor.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The I/O tensors of a deserialised TensorRT engine, and the signature they give. Pure Java, so the
 * mapping is tested on machines without a GPU.
 */
final class TensorRtBindings {
  /**
   * One I/O tensor as the engine reports it.
   *
   * @param name tensor name
   * @param input true for an input, false for an output
   * @param trtType the TensorRT data type's name, e.g. {@code kFLOAT}
   * @param dims the engine's dimensions, -1 where dynamic
   */
  record Binding(String name, boolean input, String trtType, long[] dims) {
    Binding {
      dims = dims.clone();
    }
  }

  private TensorRtBindings() {}

  /** The protocol datatype of a TensorRT data type, or null when the protocol has none. */
  static DataType dataType(String trtType) {
    return switch (trtType) {
      case "kFLOAT" -> DataType.FP32;
      case "kHALF" -> DataType.FP16;
      case "kINT8" -> DataType.INT8;
      case "kINT32" -> DataType.INT32;
      case "kINT64" -> DataType.INT64;
      case "kBOOL" -> DataType.BOOL;
      case "kUINT8" -> DataType.UINT8;
      default -> null;
    };
  }

  /**
   * The signature of an engine's bindings, checked against the one {@code model.yaml} declares (if
   * any), which then wins (it may name dynamic dimensions).
   *
   * @throws ModelLoadException naming the tensor that cannot be served or disagrees
   */
  static ModelSignature signature(List<Binding> bindings, ModelSignature declared, String model) {
    List<TensorSpec> inputs = new ArrayList<>();
    List<TensorSpec> outputs = new ArrayList<>();
    for (Binding b : bindings) {
      DataType type = dataType(b.trtType());
      if (type == null) {
        throw new ModelLoadException(
            "model '"
                + model
                + "': TensorRT tensor '"
                + b.name()
                + "' has type "
                + b.trtType()
                + ", which the protocol cannot carry");
      }
      long[] shape = b.dims();
      for (int i = 0; i < shape.length; i++) {
        shape[i] = shape[i] < 0 ? -1 : shape[i];
      }
      (b.input() ? inputs : outputs).add(new TensorSpec(b.name(), type, shape));
    }
    if (inputs.isEmpty()) {
      throw new ModelLoadException("model '" + model + "': the TensorRT engine has no inputs");
    }
    ModelSignature actual = new ModelSignature(inputs, outputs);
    if (declared == null) {
      return actual;
    }
    check(declared.inputs(), inputs, "inputs", model);
    check(declared.outputs(), outputs, "outputs", model);
    return declared;
  }

  private static void check(
      List<TensorSpec> declared, List<TensorSpec> actual, String what, String model) {
    for (TensorSpec d : declared) {
      TensorSpec a =
          actual.stream().filter(x -> x.name().equals(d.name())).findFirst().orElse(null);
      if (a == null) {
        throw new ModelLoadException(
            "model '"
                + model
                + "': model.yaml "
                + what
                + " names '"
                + d.name()
                + "', the TensorRT engine has "
                + actual.stream().map(TensorSpec::name).toList());
      }
      if (a.datatype() != d.datatype() || a.shape().length != d.shape().length) {
        throw new ModelLoadException(
            "model '"
                + model
                + "': model.yaml declares "
                + d.name()
                + " "
                + d.datatype()
                + Arrays.toString(d.shape())
                + ", the TensorRT engine has "
                + a.datatype()
                + Arrays.toString(a.shape()));
      }
    }
  }
}
