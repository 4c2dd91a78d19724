package dev.kairos.runtime.engine.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.kairos.runtime.batch.BatchTensors;
import dev.kairos.runtime.buffer.DirectBufferPool;
import dev.kairos.runtime.buffer.PooledBuffer;
import dev.kairos.runtime.engine.EngineException;
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
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A loaded ONNX Runtime session. ONNX Runtime sessions are safe to run from several threads. */
final class OnnxModel implements LoadedModel {
  private final OrtEnvironment env;
  private final OrtSession session;
  private final OrtSession.SessionOptions options;
  private final ModelSignature signature;
  private final java.nio.file.Path sessionFile;
  private final Set<String> allOutputs;
  private final DirectBufferPool buffers = DirectBufferPool.shared();

  OnnxModel(
      OrtEnvironment env,
      OrtSession session,
      OrtSession.SessionOptions options,
      ModelSignature signature,
      java.nio.file.Path sessionFile) {
    this.env = env;
    this.session = session;
    this.options = options;
    this.signature = signature;
    this.sessionFile = sessionFile;
    Set<String> outs = new LinkedHashSet<>();
    for (TensorSpec s : signature.outputs()) {
      outs.add(s.name());
    }
    this.allOutputs = Set.copyOf(outs);
  }

  @Override
  public ModelSignature signature() {
    return signature;
  }

  /** The file the session was made from: the model's artifact, or its optimised graph. */
  java.nio.file.Path sessionFile() {
    return sessionFile;
  }

  @Override
  public String platform() {
    return "onnx_onnxv1";
  }

  /**
   * Joins the batch in pooled buffers, which are given back as soon as the session has run: ONNX
   * Runtime copies its outputs out, so nothing refers to them afterwards.
   */
  @Override
  public List<InferenceResponse> inferBatch(List<InferenceRequest> requests) {
    if (requests.size() == 1) {
      return List.of(infer(requests.get(0)));
    }
    int[] rows = new int[requests.size()];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = BatchTensors.rows(requests.get(i));
    }
    List<PooledBuffer> held = new ArrayList<>();
    try {
      return BatchTensors.split(infer(BatchTensors.concat(requests, buffers, held)), rows);
    } finally {
      held.forEach(PooledBuffer::close);
    }
  }

  @Override
  public InferenceResponse infer(InferenceRequest request) {
    Map<String, OnnxTensor> inputs = new HashMap<>();
    List<PooledBuffer> held = new ArrayList<>(0);
    try {
      for (Tensor t : request.inputs()) {
        inputs.put(t.name(), toOnnx(t, held));
      }
      Set<String> wanted = allOutputs;
      if (!request.outputs().isEmpty()) {
        wanted = new LinkedHashSet<>();
        for (RequestedOutput o : request.outputs()) {
          wanted.add(o.name());
        }
      }
      try (OrtSession.Result result = session.run(inputs, wanted)) {
        List<Tensor> outputs = new ArrayList<>(result.size());
        for (Map.Entry<String, OnnxValue> e : result) {
          outputs.add(fromOnnx(e.getKey(), e.getValue()));
        }
        return InferenceResponse.of(outputs.toArray(Tensor[]::new));
      }
    } catch (OrtException e) {
      // ONNX Runtime reports shape errors it finds inside the graph as INVALID_ARGUMENT.
      if (e.getCode() == OrtException.OrtErrorCode.ORT_INVALID_ARGUMENT) {
        throw new InvalidInputException("ONNX Runtime rejected the input: " + e.getMessage(), e);
      }
      throw new EngineException("ONNX Runtime failed: " + e.getMessage(), e);
    } finally {
      for (OnnxTensor t : inputs.values()) {
        t.close();
      }
      held.forEach(PooledBuffer::close);
    }
  }

  /** The tensor as ONNX Runtime's: data already in a direct buffer is read in place. */
  private OnnxTensor toOnnx(Tensor t, List<PooledBuffer> held) throws OrtException {
    if (t.datatype() == DataType.BYTES) {
      return OnnxTensor.createTensor(env, t.asStrings().toArray(String[]::new), t.shape());
    }
    ByteBuffer data = t.buffer();
    if (!data.isDirect()) {
      PooledBuffer direct = buffers.take(data.remaining());
      held.add(direct);
      data = direct.buffer().put(data).flip();
    }
    return OnnxTensor.createTensor(env, data, t.shape(), OnnxTypes.toJavaType(t.datatype()));
  }

  private Tensor fromOnnx(String name, OnnxValue value) throws OrtException {
    if (!(value instanceof OnnxTensor t)) {
      throw new EngineException("output '" + name + "' is not a tensor", null);
    }
    long[] shape = t.getInfo().getShape();
    DataType type = OnnxTypes.toDataType(t.getInfo().onnxType);
    if (type == DataType.BYTES) {
      String[] flat = flatStrings(t.getValue());
      return Tensor.ofStrings(name, shape, List.of(flat));
    }
    ByteBuffer bytes = t.getByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    return Tensor.of(name, type, shape, bytes);
  }

  private static String[] flatStrings(Object value) {
    List<String> out = new ArrayList<>();
    flatten(value, out);
    return out.toArray(String[]::new);
  }

  private static void flatten(Object value, List<String> out) {
    if (value instanceof String s) {
      out.add(s);
    } else if (value instanceof Object[] arr) {
      for (Object o : arr) {
        flatten(o, out);
      }
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new EngineException("closing the ONNX Runtime session failed", e);
    } finally {
      options.close();
    }
  }
}
