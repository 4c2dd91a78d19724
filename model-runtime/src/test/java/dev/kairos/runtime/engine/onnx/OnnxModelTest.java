package dev.kairos.runtime.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.runtime.buffer.DirectBufferPool;
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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxModelTest {
  @TempDir Path tmp;

  private static InferenceRequest rows(int n, int seed) {
    float[] f = new float[n * 16];
    for (int i = 0; i < f.length; i++) {
      f[i] = ((i * 13 + seed) % 41) / 41f;
    }
    return InferenceRequest.of(Tensor.ofFloats("features", new long[] {n, 16}, f));
  }

  @Test
  void shouldRunABatchFromPooledBuffersAndGiveThemBackOnceTheSessionHasRun() {
    try (LoadedModel m = TestModels.load(TestModels.dir("mlp"))) {
      List<InferenceRequest> requests = List.of(rows(40, 1), rows(30, 2), rows(50, 3));
      List<float[]> alone = new ArrayList<>();
      for (InferenceRequest r : requests) {
        alone.add(m.infer(r).output("scores").orElseThrow().asFloatArray());
      }
      m.inferBatch(requests);
      long kept = DirectBufferPool.shared().retainedBytes();
      assertThat(kept).isGreaterThanOrEqualTo(120 * 16 * 4);

      List<InferenceResponse> batched = m.inferBatch(requests);
      assertThat(DirectBufferPool.shared().retainedBytes())
          .as("the second batch was joined in the first one's buffer")
          .isEqualTo(kept);
      for (int i = 0; i < requests.size(); i++) {
        assertThat(batched.get(i).output("scores").orElseThrow().asFloatArray())
            .containsExactly(alone.get(i));
      }
    }
  }

  private ModelSource mlpWith(String options) throws Exception {
    Path dir = tmp.resolve("mlp");
    Files.createDirectories(dir.resolve("1"));
    Files.copy(
        TestModels.EXAMPLES.resolve("mlp/1/model.onnx"), dir.resolve("1").resolve("model.onnx"));
    Files.writeString(
        dir.resolve("model.yaml"), "name: mlp\nengine: onnxruntime\noptions: " + options + "\n");
    ModelDirectory d = ModelRepository.read(dir);
    assertThat(d.ok()).as(String.valueOf(d.error())).isTrue();
    return new ModelSource("1", d.latest().artifact(), d.config(), 2);
  }

  @Test
  void shouldServeWithSpinWaitOn() throws Exception {
    try (LoadedModel m = new OnnxRuntimeEngine().load(mlpWith("{spinWait: true}"))) {
      assertThat(m.infer(rows(2, 0)).output("scores").orElseThrow().shape()).containsExactly(2, 4);
    }
  }

  @Test
  void shouldRefuseASpinWaitThatIsNeitherTrueNorFalse() throws Exception {
    ModelSource source = mlpWith("{spinWait: sometimes}");
    assertThatThrownBy(() -> new OnnxRuntimeEngine().load(source))
        .isInstanceOf(ModelLoadException.class)
        .hasMessage("model 'mlp': option spinWait = 'sometimes', must be true or false");
  }
}
