package dev.kairos.runtime.engine.tensorrt;

import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorString;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaMemcpy;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamCreate;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;

import dev.kairos.runtime.engine.DeviceMemoryCap;
import dev.kairos.runtime.engine.EngineException;
import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.runtime.engine.ModelLoadException;
import dev.kairos.runtime.engine.ModelSource;
import dev.kairos.sdk.model.ModelSignature;
import dev.kairos.sdk.model.TensorSpec;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.oip.InvalidInputException;
import dev.kairos.sdk.oip.RequestedOutput;
import dev.kairos.sdk.tensor.Shapes;
import dev.kairos.sdk.tensor.Tensor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorrt.global.nvinfer;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.ICudaEngine;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;
import org.bytedeco.tensorrt.nvinfer.ILogger;
import org.bytedeco.tensorrt.nvinfer.IRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A deserialised TensorRT engine with one execution context and CUDA stream. An execution context
 * runs one inference at a time, so calls are serialised; batching makes each call count.
 */
final class TensorRtModel implements LoadedModel {
  private static final Logger log = LoggerFactory.getLogger(TensorRtModel.class);

  private final String model;
  private final int device;
  private final TrtLogger logger;
  private final IRuntime runtime;
  private final ICudaEngine engine;
  private final IExecutionContext context;
  private final CUstream_st stream;
  private final ModelSignature signature;

  private TensorRtModel(
      String model,
      int device,
      TrtLogger logger,
      IRuntime runtime,
      ICudaEngine engine,
      IExecutionContext context,
      CUstream_st stream,
      ModelSignature signature) {
    this.model = model;
    this.device = device;
    this.logger = logger;
    this.runtime = runtime;
    this.engine = engine;
    this.context = context;
    this.stream = stream;
    this.signature = signature;
  }

  static TensorRtModel deserialize(ModelSource source, byte[] plan) {
    String model = source.modelName();
    int device = source.intOption("gpuDevice", 0);
    check(cudaSetDevice(device), "cudaSetDevice(" + device + ")");
    TrtLogger logger = new TrtLogger(model);
    IRuntime runtime = nvinfer.createInferRuntime(logger);
    ICudaEngine engine;
    try (BytePointer bytes = new BytePointer(plan)) {
      engine = runtime.deserializeCudaEngine(bytes, plan.length);
    }
    if (engine == null || engine.isNull()) {
      runtime.close();
      throw new ModelLoadException(
          "model '"
              + model
              + "': TensorRT cannot deserialise "
              + source.artifact()
              + " (built for another GPU or TensorRT version?): "
              + logger.lastError());
    }
    // The plan holds the weights, which live on the device; each context adds its activations.
    long needed = plan.length + engine.getDeviceMemorySizeV2();
    try {
      DeviceMemoryCap.of(source).check("the TensorRT engine (weights + activations)", needed);
    } catch (ModelLoadException e) {
      engine.close();
      runtime.close();
      logger.close();
      throw e;
    }
    List<TensorRtBindings.Binding> bindings = new ArrayList<>();
    for (int i = 0; i < engine.getNbIOTensors(); i++) {
      String name = engine.getIOTensorName(i);
      Dims64 dims = engine.getTensorShape(name);
      long[] shape = new long[dims.nbDims()];
      for (int d = 0; d < shape.length; d++) {
        shape[d] = dims.d(d);
      }
      bindings.add(
          new TensorRtBindings.Binding(
              name,
              engine.getTensorIOMode(name) == nvinfer.TensorIOMode.kINPUT,
              engine.getTensorDataType(name).name(),
              shape));
    }
    ModelSignature signature =
        TensorRtBindings.signature(bindings, source.config().declaredSignature(), model);
    IExecutionContext context = engine.createExecutionContext();
    CUstream_st stream = new CUstream_st();
    check(cudaStreamCreate(stream), "cudaStreamCreate");
    return new TensorRtModel(model, device, logger, runtime, engine, context, stream, signature);
  }

  private static void check(int err, String what) {
    if (err != 0) {
      throw new EngineException(what + " failed: " + cudaGetErrorString(err).getString(), null);
    }
  }

  @Override
  public ModelSignature signature() {
    return signature;
  }

  @Override
  public String platform() {
    return "tensorrt_plan";
  }

  @Override
  public synchronized InferenceResponse infer(InferenceRequest request) {
    List<Pointer> deviceBuffers = new ArrayList<>();
    try {
      check(cudaSetDevice(device), "cudaSetDevice");
      for (TensorSpec spec : signature.inputs()) {
        Tensor t = request.requireInput(spec.name());
        try (Dims64 dims = dims(t.shape())) {
          if (!context.setInputShape(spec.name(), dims)) {
            throw new InvalidInputException(
                "input '"
                    + spec.name()
                    + "': shape "
                    + Shapes.format(t.shape())
                    + " is outside the engine's optimisation profile");
          }
        }
        ByteBuffer data = t.buffer();
        Pointer dev = deviceAlloc(data.remaining(), deviceBuffers);
        try (BytePointer host = new BytePointer(data.remaining())) {
          host.put(toArray(data));
          check(cudaMemcpy(dev, host, data.remaining(), cudaMemcpyHostToDevice), "cudaMemcpy H2D");
        }
        context.setTensorAddress(spec.name(), dev);
      }
      List<Pointer> outs = new ArrayList<>();
      List<long[]> outShapes = new ArrayList<>();
      for (TensorSpec spec : signature.outputs()) {
        Dims64 d = context.getTensorShape(spec.name());
        long[] shape = new long[d.nbDims()];
        for (int i = 0; i < shape.length; i++) {
          shape[i] = d.d(i);
        }
        long bytes = Shapes.elementCount(shape) * spec.datatype().byteSize();
        Pointer dev = deviceAlloc(bytes, deviceBuffers);
        context.setTensorAddress(spec.name(), dev);
        outs.add(dev);
        outShapes.add(shape);
      }
      if (!context.enqueueV3(stream)) {
        throw new EngineException("TensorRT enqueueV3 failed: " + logger.lastError(), null);
      }
      check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
      List<Tensor> result = new ArrayList<>();
      for (int i = 0; i < outs.size(); i++) {
        TensorSpec spec = signature.outputs().get(i);
        if (!wanted(request, spec.name())) {
          continue;
        }
        long[] shape = outShapes.get(i);
        long bytes = Shapes.elementCount(shape) * spec.datatype().byteSize();
        ByteBuffer out = Tensor.allocate(bytes);
        try (BytePointer host = new BytePointer(bytes)) {
          check(cudaMemcpy(host, outs.get(i), bytes, cudaMemcpyDeviceToHost), "cudaMemcpy D2H");
          byte[] arr = new byte[(int) bytes];
          host.get(arr);
          out.put(arr).flip();
        }
        result.add(Tensor.of(spec.name(), spec.datatype(), shape, out));
      }
      return InferenceResponse.of(result.toArray(Tensor[]::new));
    } finally {
      for (Pointer p : deviceBuffers) {
        cudaFree(p);
      }
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

  private static Pointer deviceAlloc(long bytes, List<Pointer> owned) {
    Pointer p = new Pointer();
    check(cudaMalloc(p, Math.max(bytes, 1)), "cudaMalloc(" + bytes + ")");
    owned.add(p);
    return p;
  }

  private static Dims64 dims(long[] shape) {
    Dims64 d = new Dims64();
    d.nbDims(shape.length);
    for (int i = 0; i < shape.length; i++) {
      d.d(i, shape[i]);
    }
    return d;
  }

  private static byte[] toArray(ByteBuffer b) {
    byte[] a = new byte[b.remaining()];
    b.duplicate().get(a);
    return a;
  }

  @Override
  public synchronized void close() {
    cudaStreamDestroy(stream);
    context.close();
    engine.close();
    runtime.close();
    logger.close();
  }

  /** Forwards TensorRT's messages to SLF4J and keeps the last error for load failures. */
  private static final class TrtLogger extends ILogger {
    private final String model;
    private volatile String lastError = "";

    TrtLogger(String model) {
      this.model = model;
    }

    @Override
    public void log(Severity severity, String msg) {
      if (severity.value <= Severity.kERROR.value) {
        lastError = msg;
        log.warn("model={} TensorRT: {}", model, msg);
      } else if (severity.value == Severity.kWARNING.value) {
        log.info("model={} TensorRT: {}", model, msg);
      }
    }

    String lastError() {
      return lastError;
    }
  }
}
