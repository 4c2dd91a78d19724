package dev.kairos.runtime.repository;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.runtime.core.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DjlServingDirectoryTest {
  @TempDir Path root;

  @Test
  void shouldMapServingPropertiesOntoEngineBatchingAndVersionOne() {
    ModelDirectory d = ModelRepository.read(TestModels.EXAMPLES.resolve("mlp-djl"));
    assertThat(d.error()).isNull();
    assertThat(d.name()).isEqualTo("mlp-djl");
    assertThat(d.config().engine()).isEqualTo("onnxruntime");
    assertThat(d.config().batching().maxBatchSize()).isEqualTo(16);
    assertThat(d.config().batching().maxQueueDelay()).isEqualTo(Duration.ofMillis(2));
    assertThat(d.versions()).singleElement().satisfies(v -> assertThat(v.version()).isEqualTo("1"));
    assertThat(d.latest().artifact().getFileName().toString()).isEqualTo("mlp.onnx");
  }

  @Test
  void shouldNameTheFileAndFieldWhenSomethingIsWrong() throws Exception {
    Path dir = Files.createDirectories(root.resolve("m"));
    Files.writeString(dir.resolve("serving.properties"), "engine=MXNet\n");
    assertThat(ModelRepository.read(dir).error())
        .contains("serving.properties")
        .contains("engine")
        .contains("MXNet");
    Files.writeString(dir.resolve("serving.properties"), "engine=PyTorch\nbatch_size=many\n");
    assertThat(ModelRepository.read(dir).error()).contains("batch_size").contains("many");
    Files.writeString(dir.resolve("serving.properties"), "engine=PyTorch\noption.modelName=x\n");
    assertThat(ModelRepository.read(dir).error()).contains("option.modelName").contains("x.pt");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "batch of zero   | batch_size=0         | batch_size = 0, must be between 1 and 4096",
        "batch too large | batch_size=5000      | batch_size = 5000, must be between 1 and 4096",
        "queue of zero   | job_queue_size=0     | job_queue_size = 0, must be between 1 and 1000000",
        "negative delay  | max_batch_delay=-5   | max_batch_delay = -5, must be between 0s and 1h",
      })
  void shouldValidateBatchingWithTheRulesOfModelYaml(String label, String line, String message)
      throws Exception {
    Path dir = Files.createDirectories(root.resolve("mlp"));
    Files.copy(TestModels.EXAMPLES.resolve("mlp-djl/mlp.onnx"), dir.resolve("mlp.onnx"));
    Files.writeString(dir.resolve("serving.properties"), "engine=OnnxRuntime\n" + line + "\n");
    ModelDirectory d = ModelRepository.read(dir);
    assertThat(d.ok()).isFalse();
    assertThat(d.error()).isEqualTo(dir.resolve("serving.properties") + ": " + message.trim());
  }

  @Test
  void shouldTakeTheSignatureFromAModelYamlBesideIt() throws Exception {
    Path dir = Files.createDirectories(root.resolve("t"));
    Files.copy(TestModels.EXAMPLES.resolve("mlp-torch/1/model.pt"), dir.resolve("t.pt"));
    Files.writeString(dir.resolve("serving.properties"), "engine=PyTorch\nbatch_size=4\n");
    Files.writeString(
        dir.resolve("model.yaml"),
        "inputs: [{name: features, datatype: FP32, shape: [-1, 16]}]\n"
            + "outputs: [{name: scores, datatype: FP32, shape: [-1, 4]}]\n");
    ModelDirectory d = ModelRepository.read(dir);
    assertThat(d.error()).isNull();
    assertThat(d.config().engine()).isEqualTo("pytorch");
    assertThat(d.config().declaredSignature().inputs().get(0).name()).isEqualTo("features");
    assertThat(d.config().batching().maxBatchSize()).isEqualTo(4);
  }
}
