package dev.kairos.runtime.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.runtime.core.TestModels;
import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.tensor.Tensor;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * ONNX Runtime's CUDA provider under a per-model memory cap, on a real GPU:
 *
 * <pre>
 * mvn -Pgpu -pl model-runtime -am test -DexcludedGroups= -Dgroups=gpu -Dtest='*GpuTest'
 * </pre>
 */
@Tag("gpu")
class OnnxRuntimeCudaGpuTest {
  private static List<InferenceRequest> request() {
    float[] v = new float[4 * 16];
    for (int i = 0; i < v.length; i++) {
      v[i] = (i % 7) / 7f;
    }
    return List.of(InferenceRequest.of(Tensor.ofFloats("features", new long[] {4, 16}, v)));
  }

  @Test
  void shouldAnswerAsOnTheCpuWithinAGenerousCap() {
    try (LoadedModel gpu = new OnnxRuntimeEngine().load(OnnxRuntimeCudaTest.onGpu(256L << 20));
        LoadedModel cpu = TestModels.load(TestModels.dir("mlp"))) {
      assertThat(gpu.inferBatch(request()).get(0).outputs().get(0).asFloatArray())
          .containsExactly(
              cpu.inferBatch(request()).get(0).outputs().get(0).asFloatArray(),
              Offset.offset(1e-4f));
    }
  }

  @Test
  void shouldNotExceedACapTooSmallForTheWeights() {
    // 1 KiB cannot hold the MLP's weights: the arena refuses, and the load or the run says so.
    assertThatThrownBy(
            () -> {
              try (LoadedModel m = new OnnxRuntimeEngine().load(OnnxRuntimeCudaTest.onGpu(1024))) {
                m.inferBatch(request());
              }
            })
        .isInstanceOf(RuntimeException.class);
  }
}
