package dev.kairos.sdk.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.kairos.sdk.grpc.proto.InferParameter;
import dev.kairos.sdk.grpc.proto.InferTensorContents;
import dev.kairos.sdk.grpc.proto.ModelInferRequest;
import dev.kairos.sdk.grpc.proto.ModelInferRequest.InferInputTensor;
import dev.kairos.sdk.grpc.proto.ModelInferRequest.InferRequestedOutputTensor;
import dev.kairos.sdk.grpc.proto.ModelInferResponse;
import dev.kairos.sdk.grpc.proto.ModelInferResponse.InferOutputTensor;
import dev.kairos.sdk.oip.BytesLayout;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.oip.InvalidInputException;
import dev.kairos.sdk.oip.RequestedOutput;
import dev.kairos.sdk.tensor.DataType;
import dev.kairos.sdk.tensor.Shapes;
import dev.kairos.sdk.tensor.Tensor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts between the Open Inference Protocol's gRPC messages and the SDK's {@link
 * InferenceRequest}, {@link InferenceResponse} and {@link Tensor}.
 *
 * <p>Raw contents ({@code raw_input_contents}, {@code raw_output_contents}) are the little-endian
 * row-major layout a {@link Tensor} keeps, so fixed-size tensors are wrapped, not converted; BYTES
 * raw contents are elements each prefixed with a 4-byte little-endian length, as in the spec and
 * the REST binary extension. Typed {@code contents} are converted element by element. Every
 * mismatch (element count, byte size, a datatype without a typed field) is an {@link
 * InvalidInputException} naming the tensor, which servers answer with INVALID_ARGUMENT.
 */
public final class OipProtos {
  private OipProtos() {}

  /** The request a {@link ModelInferRequest} carries (model name and version are left out). */
  public static InferenceRequest toRequest(ModelInferRequest m) {
    int raw = m.getRawInputContentsCount();
    if (raw != 0 && raw != m.getInputsCount()) {
      throw new InvalidInputException(
          "raw_input_contents has "
              + raw
              + " entries for "
              + m.getInputsCount()
              + " inputs; give one per input, in order");
    }
    List<Tensor> inputs = new ArrayList<>(m.getInputsCount());
    for (int i = 0; i < m.getInputsCount(); i++) {
      InferInputTensor in = m.getInputs(i);
      String who = "input '" + in.getName() + "'";
      DataType type = datatype(who, in.getDatatype());
      long[] shape = shape(who, in.getShapeList());
      Map<String, Object> params = parameters(in.getParametersMap());
      if (raw != 0) {
        if (in.hasContents()) {
          throw new InvalidInputException(
              who + ": has typed contents although raw_input_contents is used");
        }
        inputs.add(fromRaw(who, in.getName(), type, shape, m.getRawInputContents(i), params));
      } else {
        inputs.add(fromContents(who, in.getName(), type, shape, in.getContents(), params));
      }
    }
    List<RequestedOutput> outputs = new ArrayList<>(m.getOutputsCount());
    for (InferRequestedOutputTensor o : m.getOutputsList()) {
      outputs.add(new RequestedOutput(o.getName(), parameters(o.getParametersMap())));
    }
    return new InferenceRequest(
        m.getId().isEmpty() ? null : m.getId(), parameters(m.getParametersMap()), inputs, outputs);
  }

  /**
   * A {@link ModelInferRequest} for {@code request}.
   *
   * @param raw tensors as {@code raw_input_contents} (true) or typed {@code contents}; FP16 is
   *     always raw
   */
  public static ModelInferRequest fromRequest(
      String model, String version, InferenceRequest request, boolean raw) {
    boolean allRaw = raw || request.inputs().stream().anyMatch(t -> t.datatype() == DataType.FP16);
    ModelInferRequest.Builder b = ModelInferRequest.newBuilder().setModelName(model);
    if (version != null) {
      b.setModelVersion(version);
    }
    if (request.id() != null) {
      b.setId(request.id());
    }
    b.putAllParameters(protoParameters(request.parameters()));
    for (Tensor t : request.inputs()) {
      InferInputTensor.Builder in =
          InferInputTensor.newBuilder()
              .setName(t.name())
              .setDatatype(t.datatype().name())
              .addAllShape(boxed(t.shape()))
              .putAllParameters(protoParameters(t.parameters()));
      if (allRaw) {
        b.addRawInputContents(rawOf(t));
      } else {
        in.setContents(contentsOf(t));
      }
      b.addInputs(in);
    }
    for (RequestedOutput o : request.outputs()) {
      b.addOutputs(
          InferRequestedOutputTensor.newBuilder()
              .setName(o.name())
              .putAllParameters(protoParameters(o.parameters())));
    }
    return b.build();
  }

  /** The response a {@link ModelInferResponse} carries, raw or typed. */
  public static InferenceResponse toResponse(ModelInferResponse m) {
    int raw = m.getRawOutputContentsCount();
    if (raw != 0 && raw != m.getOutputsCount()) {
      throw new InvalidInputException(
          "raw_output_contents has " + raw + " entries for " + m.getOutputsCount() + " outputs");
    }
    List<Tensor> outputs = new ArrayList<>(m.getOutputsCount());
    for (int i = 0; i < m.getOutputsCount(); i++) {
      InferOutputTensor o = m.getOutputs(i);
      String who = "output '" + o.getName() + "'";
      DataType type = datatype(who, o.getDatatype());
      long[] shape = shape(who, o.getShapeList());
      Map<String, Object> params = parameters(o.getParametersMap());
      outputs.add(
          raw != 0
              ? fromRaw(who, o.getName(), type, shape, m.getRawOutputContents(i), params)
              : fromContents(who, o.getName(), type, shape, o.getContents(), params));
    }
    return new InferenceResponse(
        m.getModelName(),
        m.getModelVersion().isEmpty() ? null : m.getModelVersion(),
        m.getId().isEmpty() ? null : m.getId(),
        parameters(m.getParametersMap()),
        outputs);
  }

  /** A {@link ModelInferResponse} with every output as {@code raw_output_contents}. */
  public static ModelInferResponse fromResponse(InferenceResponse r) {
    ModelInferResponse.Builder b = ModelInferResponse.newBuilder();
    if (r.modelName() != null) {
      b.setModelName(r.modelName());
    }
    if (r.modelVersion() != null) {
      b.setModelVersion(r.modelVersion());
    }
    if (r.id() != null) {
      b.setId(r.id());
    }
    b.putAllParameters(protoParameters(r.parameters()));
    for (Tensor t : r.outputs()) {
      Map<String, Object> params = new LinkedHashMap<>(t.parameters());
      params.remove("binary_data_size");
      b.addOutputs(
          InferOutputTensor.newBuilder()
              .setName(t.name())
              .setDatatype(t.datatype().name())
              .addAllShape(boxed(t.shape()))
              .putAllParameters(protoParameters(params)));
      b.addRawOutputContents(rawOf(t));
    }
    return b.build();
  }

  /** The tensor's data in the raw contents layout. */
  public static ByteString rawOf(Tensor t) {
    if (t.datatype().isFixedSize()) {
      // A tensor is immutable, so its buffer can back the message without a copy.
      return UnsafeByteOperations.unsafeWrap(t.buffer());
    }
    return UnsafeByteOperations.unsafeWrap(BytesLayout.encode(t));
  }

  private static Tensor fromRaw(
      String who,
      String name,
      DataType type,
      long[] shape,
      ByteString raw,
      Map<String, Object> params) {
    long expected = Shapes.elementCount(shape);
    if (type.isFixedSize()) {
      long need = expected * type.byteSize();
      if (raw.size() != need) {
        throw new InvalidInputException(
            who
                + ": shape "
                + Shapes.format(shape)
                + " of "
                + type
                + " needs "
                + need
                + " bytes of raw contents, got "
                + raw.size());
      }
      return Tensor.of(name, type, shape, raw.asReadOnlyByteBuffer(), params);
    }
    List<byte[]> elements =
        BytesLayout.decode(raw.asReadOnlyByteBuffer(), shape, who, "raw contents");
    return Tensor.ofBytes(name, shape, elements, params);
  }

  private static Tensor fromContents(
      String who,
      String name,
      DataType type,
      long[] shape,
      InferTensorContents c,
      Map<String, Object> params) {
    long expected = Shapes.elementCount(shape);
    int n =
        switch (type) {
          case BOOL -> c.getBoolContentsCount();
          case INT8, INT16, INT32 -> c.getIntContentsCount();
          case INT64 -> c.getInt64ContentsCount();
          case UINT8, UINT16, UINT32 -> c.getUintContentsCount();
          case UINT64 -> c.getUint64ContentsCount();
          case FP32 -> c.getFp32ContentsCount();
          case FP64 -> c.getFp64ContentsCount();
          case BYTES -> c.getBytesContentsCount();
          case FP16 ->
              throw new InvalidInputException(
                  who + ": FP16 has no typed contents; send it as raw contents");
        };
    if (n != expected) {
      throw new InvalidInputException(
          who
              + ": shape "
              + Shapes.format(shape)
              + " needs "
              + expected
              + " elements, "
              + field(type)
              + " has "
              + n);
    }
    if (type == DataType.BYTES) {
      List<byte[]> elements = new ArrayList<>(n);
      for (ByteString s : c.getBytesContentsList()) {
        elements.add(s.toByteArray());
      }
      return Tensor.ofBytes(name, shape, elements, params);
    }
    ByteBuffer b = Tensor.allocate((long) n * type.byteSize());
    for (int i = 0; i < n; i++) {
      switch (type) {
        case BOOL -> b.put((byte) (c.getBoolContents(i) ? 1 : 0));
        case INT8 -> b.put((byte) checked(who, c.getIntContents(i), Byte.MIN_VALUE, 127));
        case INT16 -> b.putShort((short) checked(who, c.getIntContents(i), Short.MIN_VALUE, 32767));
        case INT32 -> b.putInt(c.getIntContents(i));
        case INT64 -> b.putLong(c.getInt64Contents(i));
        case UINT8 -> b.put((byte) checked(who, c.getUintContents(i) & 0xffffffffL, 0, 255));
        case UINT16 ->
            b.putShort((short) checked(who, c.getUintContents(i) & 0xffffffffL, 0, 65535));
        case UINT32 -> b.putInt(c.getUintContents(i));
        case UINT64 -> b.putLong(c.getUint64Contents(i));
        case FP32 -> b.putFloat(c.getFp32Contents(i));
        case FP64 -> b.putDouble(c.getFp64Contents(i));
        default -> throw new IllegalStateException("unreachable: " + type);
      }
    }
    b.flip();
    return Tensor.of(name, type, shape, b, params);
  }

  private static long checked(String who, long v, long min, long max) {
    if (v < min || v > max) {
      throw new InvalidInputException(
          who + ": value " + v + " is out of range [" + min + ", " + max + "]");
    }
    return v;
  }

  private static String field(DataType type) {
    return switch (type) {
      case BOOL -> "bool_contents";
      case INT8, INT16, INT32 -> "int_contents";
      case INT64 -> "int64_contents";
      case UINT8, UINT16, UINT32 -> "uint_contents";
      case UINT64 -> "uint64_contents";
      case FP32 -> "fp32_contents";
      case FP64 -> "fp64_contents";
      case BYTES -> "bytes_contents";
      case FP16 -> "raw contents";
    };
  }

  /** Typed contents of a tensor (every datatype but FP16). */
  public static InferTensorContents contentsOf(Tensor t) {
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    int n = (int) t.elementCount();
    switch (t.datatype()) {
      case BOOL -> {
        for (boolean v : t.asBooleanArray()) {
          c.addBoolContents(v);
        }
      }
      case INT8, INT16, INT32 -> {
        for (int v : t.asIntArray()) {
          c.addIntContents(v);
        }
      }
      case INT64 -> {
        for (long v : t.asLongArray()) {
          c.addInt64Contents(v);
        }
      }
      case UINT8, UINT16, UINT32 -> {
        for (int i = 0; i < n; i++) {
          c.addUintContents((int) t.getLong(i));
        }
      }
      case UINT64 -> {
        for (long v : t.asLongArray()) {
          c.addUint64Contents(v);
        }
      }
      case FP32 -> {
        for (float v : t.asFloatArray()) {
          c.addFp32Contents(v);
        }
      }
      case FP64 -> {
        for (double v : t.asDoubleArray()) {
          c.addFp64Contents(v);
        }
      }
      case BYTES -> {
        for (byte[] e : t.bytesElements()) {
          c.addBytesContents(ByteString.copyFrom(e));
        }
      }
      case FP16 ->
          throw new IllegalArgumentException(
              "tensor '" + t.name() + "': FP16 has no typed contents; use raw contents");
    }
    return c.build();
  }

  private static DataType datatype(String who, String name) {
    try {
      return DataType.parse(name);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(who + ": " + e.getMessage());
    }
  }

  private static long[] shape(String who, List<Long> dims) {
    long[] shape = new long[dims.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = dims.get(i);
      if (shape[i] < 0) {
        throw new InvalidInputException(
            who + ": shape dimension " + i + " is " + shape[i] + ", must be >= 0");
      }
    }
    return shape;
  }

  private static List<Long> boxed(long[] shape) {
    List<Long> out = new ArrayList<>(shape.length);
    for (long d : shape) {
      out.add(d);
    }
    return out;
  }

  /** Protocol parameters as the SDK keeps them: Boolean, Long or String values. */
  public static Map<String, Object> parameters(Map<String, InferParameter> params) {
    if (params.isEmpty()) {
      return Map.of();
    }
    Map<String, Object> out = new LinkedHashMap<>();
    params.forEach(
        (k, v) -> {
          switch (v.getParameterChoiceCase()) {
            case BOOL_PARAM -> out.put(k, v.getBoolParam());
            case INT64_PARAM -> out.put(k, v.getInt64Param());
            case STRING_PARAM -> out.put(k, v.getStringParam());
            default -> {
              // an empty parameter carries nothing
            }
          }
        });
    return out;
  }

  /**
   * SDK parameters as protocol ones; integers as int64, booleans as bool, anything else (a
   * fraction, a string) as its string.
   */
  public static Map<String, InferParameter> protoParameters(Map<String, Object> params) {
    if (params.isEmpty()) {
      return Map.of();
    }
    Map<String, InferParameter> out = new LinkedHashMap<>();
    params.forEach(
        (k, v) -> {
          if (v == null) {
            return;
          }
          InferParameter.Builder p = InferParameter.newBuilder();
          if (v instanceof Boolean bool) {
            p.setBoolParam(bool);
          } else if (v instanceof Number n && n.doubleValue() == n.longValue()) {
            p.setInt64Param(n.longValue());
          } else {
            p.setStringParam(v.toString());
          }
          out.put(k, p.build());
        });
    return out;
  }
}
