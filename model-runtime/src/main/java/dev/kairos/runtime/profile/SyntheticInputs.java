package dev.kairos.runtime.profile;

import dev.kairos.runtime.engine.ModelLoadException;
import dev.kairos.sdk.model.TensorSpec;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.tensor.DataType;
import dev.kairos.sdk.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A request shaped by a model's signature, for runs that nobody asked for: the profiler's timed
 * calls and a host's first run of a model it just loaded. FP32 inputs are seeded random, every
 * other fixed-size type zeros; dynamic first dimensions become the batch size, other dynamic ones
 * 1.
 */
public final class SyntheticInputs {
  private SyntheticInputs() {}

  /**
   * @throws ModelLoadException when an input has no fixed element size (strings, bytes): no request
   *     can be made up for it
   */
  public static InferenceRequest request(
      List<TensorSpec> inputs, int batch, SplittableRandom random, String model) {
    List<Tensor> tensors = new ArrayList<>();
    for (TensorSpec spec : inputs) {
      long[] shape = spec.shape();
      for (int i = 0; i < shape.length; i++) {
        if (shape[i] < 0) {
          shape[i] = i == 0 ? batch : 1;
        }
      }
      DataType type = spec.datatype();
      if (!type.isFixedSize()) {
        throw new ModelLoadException(
            "model '"
                + model
                + "': no synthetic value for input '"
                + spec.name()
                + "' of type "
                + type);
      }
      long elements = 1;
      for (long d : shape) {
        elements *= d;
      }
      ByteBuffer data =
          ByteBuffer.allocateDirect((int) (elements * type.byteSize()))
              .order(ByteOrder.LITTLE_ENDIAN);
      if (type == DataType.FP32) {
        while (data.remaining() >= 4) {
          data.putFloat((float) random.nextDouble());
        }
      }
      data.clear();
      tensors.add(Tensor.of(spec.name(), type, shape, data));
    }
    return new InferenceRequest("synthetic", java.util.Map.of(), tensors, List.of());
  }
}
