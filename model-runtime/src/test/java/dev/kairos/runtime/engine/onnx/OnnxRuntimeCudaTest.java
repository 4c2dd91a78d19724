package dev.kairos.runtime.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.kairos.runtime.core.TestModels;
import dev.kairos.runtime.engine.DeviceMemoryCap;
import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.runtime.engine.ModelLoadException;
import dev.kairos.runtime.engine.ModelSource;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.sdk.model.DeviceConfig;
import dev.kairos.sdk.model.ModelConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * ONNX Runtime's CUDA path where no GPU is needed: the provider's options and the clear failure.
 */
class OnnxRuntimeCudaTest {
  static ModelSource onGpu(long memoryBytes) {
    ModelDirectory mlp = TestModels.dir("mlp");
    ModelConfig gpu =
        mlp.config().withDevice(new DeviceConfig("gpu", memoryBytes, "light", 0, "gpu0"));
    return new ModelSource("1", mlp.latest().artifact(), gpu, 1);
  }

  @Test
  void shouldCapTheCudaArenaAtTheModelsMemoryAndGrowItOnlyByWhatIsAskedFor() {
    assertThat(OnnxRuntimeEngine.cudaOptions(1, new DeviceMemoryCap("m", 256L << 20)))
        .containsExactly(
            org.assertj.core.api.Assertions.entry("device_id", "1"),
            org.assertj.core.api.Assertions.entry("gpu_mem_limit", "268435456"),
            org.assertj.core.api.Assertions.entry("arena_extend_strategy", "kSameAsRequested"));
  }

  @Test
  void shouldLeaveTheArenaToOnnxRuntimeWhenTheModelHasNoCap() {
    assertThat(OnnxRuntimeEngine.cudaOptions(0, new DeviceMemoryCap("m", 0)))
        .containsOnlyKeys("device_id");
  }

  @Test
  void shouldFailTheLoadClearlyWhenNoCudaProviderIsAvailable() {
    assumeFalse(Files.exists(Path.of("/dev/nvidiactl")), "this machine has a GPU");
    ModelSource source = onGpu(64L << 20);
    assertThatThrownBy(() -> new OnnxRuntimeEngine().load(source))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("model 'mlp' asks for device.kind: gpu")
        .hasMessageContaining("CUDA execution provider is not available");
    // The JVM keeps serving on CPU.
    try (LoadedModel m = TestModels.load(TestModels.dir("mlp"))) {
      assertThat(m.signature().inputs()).hasSize(1);
    }
  }
}
