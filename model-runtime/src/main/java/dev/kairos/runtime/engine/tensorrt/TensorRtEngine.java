package dev.kairos.runtime.engine.tensorrt;

import dev.kairos.multiplexer.device.CudaProbe;
import dev.kairos.runtime.engine.DeviceMemoryCap;
import dev.kairos.runtime.engine.Engine;
import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.runtime.engine.ModelLoadException;
import dev.kairos.runtime.engine.ModelSource;
import java.io.IOException;
import java.nio.file.Files;

/**
 * Serialised TensorRT engines ({@code .plan}) through JavaCPP's bindings. A plan is built for one
 * GPU model and TensorRT version, so it is built on the target machine (e.g. {@code trtexec
 * --onnx=model.onnx --saveEngine=model.plan}). The native libraries are loaded only when a TensorRT
 * model is, and their absence is a clear load error, not a crash.
 *
 * <p>Options: {@code gpuDevice} (default 0). On a shared card {@code device.memory} caps what the
 * model holds on the device: the plan's weights plus its execution context's activation memory
 * (which the workspace chosen at build time bounds, e.g. {@code trtexec
 * --memPoolSize=workspace:256M}). A plan that needs more is refused at load, before it can crowd
 * its neighbours out.
 */
public final class TensorRtEngine implements Engine {
  @Override
  public String name() {
    return "tensorrt";
  }

  @Override
  public LoadedModel load(ModelSource source) {
    String model = source.modelName();
    byte[] plan;
    try {
      plan = Files.readAllBytes(source.artifact());
    } catch (IOException e) {
      throw new ModelLoadException(
          "model '" + model + "': cannot read " + source.artifact() + ": " + e.getMessage(), e);
    }
    if (plan.length == 0) {
      throw new ModelLoadException(
          "model '" + model + "': " + source.artifact() + " is empty, not a TensorRT plan");
    }
    // Weights alone over the cap: refuse before touching the device.
    DeviceMemoryCap.of(source).check("the TensorRT plan's weights", plan.length);
    requireCuda(model);
    try {
      return TensorRtModel.deserialize(source, plan);
    } catch (LinkageError e) {
      // a GPU without TensorRT: JavaCPP cannot load libnvinfer; the process keeps serving
      throw new ModelLoadException(
          "model '"
              + model
              + "': engine tensorrt needs the TensorRT libraries (libnvinfer), which could not be"
              + " loaded: install TensorRT, or build with -Pgpu for org.bytedeco's tensorrt -redist"
              + " jar ("
              + e
              + ")",
          e);
    }
  }

  /** Fails the load, and only the load, when no CUDA driver or device is there. */
  private static void requireCuda(String model) {
    CudaProbe.Found found = new CudaProbe().find();
    if (found.gpus().isEmpty()) {
      throw new ModelLoadException(
          "model '"
              + model
              + "': engine tensorrt needs a CUDA GPU, but no CUDA driver/device was found ("
              + found.whyNone()
              + ")");
    }
  }
}
