package dev.kairos.runtime.engine.pytorch;

import ai.djl.Model;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.sdk.model.ModelSignature;
import dev.kairos.sdk.model.TensorSpec;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.oip.InvalidInputException;
import dev.kairos.sdk.oip.RequestedOutput;
import dev.kairos.sdk.tensor.DataType;
import dev.kairos.sdk.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** A TorchScript module; every call gets its own native memory scope, freed on return. */
final class PyTorchModel implements LoadedModel {
  private final String name;
  private final Model model;
  private final Block block;
  private final ModelSignature signature;

  PyTorchModel(String name, Model model, ModelSignature signature) {
    this.name = name;
    this.model = model;
    this.block = model.getBlock();
    this.signature = signature;
  }

  @Override
  public ModelSignature signature() {
    return signature;
  }

  @Override
  public String platform() {
    return "pytorch_torchscript";
  }

  @Override
  public InferenceResponse infer(InferenceRequest request) {
    try (NDManager scope = model.getNDManager().newSubManager()) {
      NDList inputs = new NDList(signature.inputs().size());
      for (TensorSpec spec : signature.inputs()) {
        inputs.add(toNd(scope, request.requireInput(spec.name())));
      }
      NDList outputs;
      try {
        outputs = block.forward(new ParameterStore(scope, false), inputs, false);
      } catch (EngineException e) {
        throw new InvalidInputException("PyTorch rejected the input: " + firstLine(e), e);
      }
      if (outputs.size() < signature.outputs().size()) {
        throw new dev.kairos.runtime.engine.EngineException(
            "model.yaml declares "
                + signature.outputs().size()
                + " outputs, the TorchScript module returned "
                + outputs.size(),
            null);
      }
      List<Tensor> out = new ArrayList<>();
      for (int i = 0; i < signature.outputs().size(); i++) {
        String outName = signature.outputs().get(i).name();
        if (wanted(request, outName)) {
          out.add(fromNd(outName, outputs.get(i)));
        }
      }
      return InferenceResponse.of(out.toArray(Tensor[]::new));
    }
  }

  private static boolean wanted(InferenceRequest request, String output) {
    if (request.outputs().isEmpty()) {
      return true;
    }
    for (RequestedOutput o : request.outputs()) {
      if (o.name().equals(output)) {
        return true;
      }
    }
    return false;
  }

  private static String firstLine(Exception e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  private NDArray toNd(NDManager scope, Tensor t) {
    ai.djl.ndarray.types.DataType type = toDjl(t.datatype());
    if (type == null) {
      throw new InvalidInputException(
          "input '" + t.name() + "': datatype " + t.datatype() + " is not supported by PyTorch");
    }
    ByteBuffer data = t.buffer();
    if (!data.isDirect()) {
      ByteBuffer direct =
          ByteBuffer.allocateDirect(data.remaining()).order(ByteOrder.nativeOrder());
      direct.put(data).flip();
      data = direct;
    }
    return scope.create(data, new Shape(t.shape()), type);
  }

  private Tensor fromNd(String outName, NDArray a) {
    DataType type = fromDjl(a.getDataType());
    if (type == null) {
      throw new dev.kairos.runtime.engine.EngineException(
          "output '" + outName + "' has unsupported type " + a.getDataType(), null);
    }
    ByteBuffer native_ = a.toByteBuffer();
    ByteBuffer copy = Tensor.allocate(native_.remaining());
    copy.put(native_.order(ByteOrder.LITTLE_ENDIAN)).flip();
    return Tensor.of(outName, type, a.getShape().getShape(), copy);
  }

  private static ai.djl.ndarray.types.DataType toDjl(DataType t) {
    return switch (t) {
      case FP32 -> ai.djl.ndarray.types.DataType.FLOAT32;
      case FP64 -> ai.djl.ndarray.types.DataType.FLOAT64;
      case FP16 -> ai.djl.ndarray.types.DataType.FLOAT16;
      case INT8 -> ai.djl.ndarray.types.DataType.INT8;
      case UINT8 -> ai.djl.ndarray.types.DataType.UINT8;
      case INT32 -> ai.djl.ndarray.types.DataType.INT32;
      case INT64 -> ai.djl.ndarray.types.DataType.INT64;
      case BOOL -> ai.djl.ndarray.types.DataType.BOOLEAN;
      default -> null;
    };
  }

  private static DataType fromDjl(ai.djl.ndarray.types.DataType t) {
    return switch (t) {
      case FLOAT32 -> DataType.FP32;
      case FLOAT64 -> DataType.FP64;
      case FLOAT16 -> DataType.FP16;
      case INT8 -> DataType.INT8;
      case UINT8 -> DataType.UINT8;
      case INT32 -> DataType.INT32;
      case INT64 -> DataType.INT64;
      case BOOLEAN -> DataType.BOOL;
      default -> null;
    };
  }

  @Override
  public void close() {
    model.close();
  }
}
