package dev.kairos.runtime.engine.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kairos.runtime.core.TestModels;
import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.runtime.engine.ModelLoadException;
import dev.kairos.runtime.engine.ModelSource;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelRepository;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs a real plan on a GPU and compares it with ONNX Runtime on the same weights. A plan is
 * specific to one GPU and TensorRT version, so it is built on the test machine:
 *
 * <pre>
 * trtexec --onnx=examples/models/mlp/1/model.onnx --saveEngine=/tmp/mlp.plan \
 *     --minShapes=features:1x16 --optShapes=features:8x16 --maxShapes=features:32x16
 * mvn -pl model-runtime -am test -DexcludedGroups= -Dgroups=gpu -Dkairos.trt.plan=/tmp/mlp.plan
 * </pre>
 *
 * The -redist jars of org.bytedeco cuda/tensorrt (or a system CUDA + TensorRT install) must be on
 * the class path.
 */
@Tag("gpu")
class TensorRtGpuTest {
  @Test
  void shouldAnswerAsOnnxRuntimeDoesOnTheSameWeights() {
    String planPath = System.getProperty("kairos.trt.plan");
    assumeTrue(planPath != null && Files.exists(Path.of(planPath)), "-Dkairos.trt.plan not set");
    ModelDirectory mlp = TestModels.dir("mlp");
    float[] v = new float[4 * 16];
    for (int i = 0; i < v.length; i++) {
      v[i] = (i % 7) / 7f;
    }
    List<InferenceRequest> requests =
        List.of(InferenceRequest.of(Tensor.ofFloats("features", new long[] {4, 16}, v)));
    try (LoadedModel trt =
            new TensorRtEngine().load(new ModelSource("1", Path.of(planPath), mlp.config(), 1));
        LoadedModel onnx = TestModels.load(mlp)) {
      assertThat(trt.platform()).isEqualTo("tensorrt_plan");
      InferenceResponse a = trt.inferBatch(requests).get(0);
      InferenceResponse b = onnx.inferBatch(requests).get(0);
      assertThat(a.outputs().get(0).asFloatArray())
          .containsExactly(b.outputs().get(0).asFloatArray(), Offset.offset(1e-3f));
    }
  }

  @Test
  void shouldRefuseAPlanItCannotRunWithALoadErrorNamingTheModel(@TempDir Path dir)
      throws Exception {
    // Where TensorRT is installed the plan fails to deserialise; where only the GPU is, the
    // libraries fail to load. Either way a ModelLoadException, never an Error that ends the load.
    Path junk = Files.write(dir.resolve("model.plan"), new byte[] {1, 2, 3, 4});
    ModelSource source =
        new ModelSource(
            "1",
            junk,
            ModelRepository.read(Path.of("..", "examples", "models", "mlp")).config(),
            1);
    assertThatThrownBy(() -> new TensorRtEngine().load(source))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("model 'mlp'")
        .satisfies(e -> assertThat(e.getMessage()).containsIgnoringCase("tensorrt"));
  }
}
