package dev.kairos.runtime.engine.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.kairos.runtime.core.TestModels;
import dev.kairos.runtime.engine.EngineRegistry;
import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.runtime.engine.ModelLoadException;
import dev.kairos.runtime.engine.ModelSource;
import dev.kairos.sdk.model.DeviceConfig;
import dev.kairos.sdk.model.ModelConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TensorRT paths that need no GPU: errors on machines without one, and lazy loading. The lazy
 * loading check runs first: JavaCPP records a library once anything tries to load it, and no other
 * test class in this module touches TensorRT.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TensorRtEngineTest {
  @TempDir Path dir;

  private static boolean gpuPresent() {
    return Files.exists(Path.of("/dev/nvidia0")) || Files.exists(Path.of("/dev/nvidiactl"));
  }

  private ModelSource plan(byte[] bytes) throws Exception {
    Path p = Files.createDirectories(dir.resolve("1")).resolve("model.plan");
    Files.write(p, bytes);
    return new ModelSource("1", p, ModelConfig.defaults("trt", "tensorrt"), 1);
  }

  @Test
  @Order(2)
  void shouldFailFastSayingNoCudaDriverOrDeviceWasFoundAndKeepTheJvmUp() throws Exception {
    assumeFalse(gpuPresent(), "this machine has a GPU");
    byte[] junk = new byte[256];
    new Random(1).nextBytes(junk);
    ModelSource source = plan(junk);
    assertThatThrownBy(() -> EngineRegistry.discover().get("tensorrt").load(source))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("'trt'")
        .hasMessageContaining("no CUDA driver/device was found");
    // still alive, and able to load another engine's model
    try (LoadedModel m = TestModels.load(TestModels.dir("mlp"))) {
      assertThat(m.platform()).isEqualTo("onnx_onnxv1");
    }
  }

  @Test
  @Order(1)
  void shouldNotLoadCudaOrTensorRtLibrariesForOtherEngines() {
    try (LoadedModel m = TestModels.load(TestModels.dir("mlp"))) {
      assertThat(m.platform()).isEqualTo("onnx_onnxv1");
    }
    assertThat(Loader.getLoadedLibraries().keySet())
        .noneMatch(k -> k.contains("nvinfer") || k.contains("cudart"));
  }

  @Test
  void shouldSayAnEmptyPlanIsNotAPlan() throws Exception {
    ModelSource source = plan(new byte[0]);
    assertThatThrownBy(() -> new TensorRtEngine().load(source))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("is empty");
  }

  @Test
  void shouldRefuseAPlanWhoseWeightsExceedTheModelsDeviceMemoryCapBeforeTouchingTheDevice()
      throws Exception {
    ModelConfig capped =
        ModelConfig.defaults("trt", "tensorrt")
            .withDevice(new DeviceConfig("gpu", 1024, "heavy", 0, "gpu0"));
    Path p = plan(new byte[4096]).artifact();
    ModelSource source = new ModelSource("1", p, capped, 1);
    assertThatThrownBy(() -> new TensorRtEngine().load(source))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("'trt'")
        .hasMessageContaining("needs 4096 bytes of device memory")
        .hasMessageContaining("device.memory: 1024");
  }
}
