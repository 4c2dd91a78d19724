package dev.kairos.runtime.engine.java;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.runtime.engine.EngineException;
import dev.kairos.runtime.engine.EngineRegistry;
import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.runtime.engine.ModelLoadException;
import dev.kairos.runtime.engine.ModelSource;
import dev.kairos.sdk.model.BatchingConfig;
import dev.kairos.sdk.model.DeviceConfig;
import dev.kairos.sdk.model.ModelConfig;
import dev.kairos.sdk.model.ScalingConfig;
import dev.kairos.sdk.model.TensorSpec;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.oip.InvalidInputException;
import dev.kairos.sdk.tensor.DataType;
import dev.kairos.sdk.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JavaPredictorEngineTest {
  static final String DOUBLER =
      """
      package example;

      import dev.kairos.sdk.oip.*;
      import dev.kairos.sdk.predictor.*;
      import dev.kairos.sdk.tensor.Tensor;
      import java.nio.file.Files;
      import java.util.List;

      public final class Doubler implements Predictor {
        private float factor;
        public static int batches;

        public void load(ModelContext context) throws Exception {
          factor = Float.parseFloat(Files.readString(context.resolve("factor.txt")).trim());
        }

        public InferenceResponse predict(InferenceRequest request) {
          Tensor x = request.requireInput("x");
          float[] v = x.asFloatArray();
          if (v[0] == 42) {
            throw new InvalidInputException("x[0] must not be 42");
          }
          if (v[0] < 0) {
            throw new IllegalStateException("negative input " + v[0]);
          }
          if (v[0] == 7) {
            return InferenceResponse.of(Tensor.ofFloats("z", x.shape(), v));
          }
          for (int i = 0; i < v.length; i++) {
            v[i] *= factor;
          }
          return InferenceResponse.of(Tensor.ofFloats("y", x.shape(), v));
        }

        public List<InferenceResponse> predictBatch(List<InferenceRequest> requests)
            throws Exception {
          batches++;
          return Predictor.super.predictBatch(requests);
        }
      }
      """;

  @TempDir Path dir;

  private ModelConfig config(Map<String, String> options, int maxBatch) {
    return new ModelConfig(
        "doubler",
        "java",
        List.of(new TensorSpec("x", DataType.FP32, new long[] {-1, 2})),
        List.of(new TensorSpec("y", DataType.FP32, new long[] {-1, 2})),
        new BatchingConfig(maxBatch, Duration.ZERO, 16, List.of()),
        DeviceConfig.DEFAULT,
        ScalingConfig.DEFAULT,
        Map.of(),
        options);
  }

  private LoadedModel load(Map<String, String> options, String services, int maxBatch)
      throws Exception {
    Path jar = PredictorJars.build(dir, Map.of("example.Doubler", DOUBLER), services);
    Files.writeString(jar.getParent().resolve("factor.txt"), "3");
    return EngineRegistry.discover()
        .get("java")
        .load(new ModelSource("1", jar, config(options, maxBatch), 1));
  }

  private static InferenceRequest x(float a, float b) {
    return InferenceRequest.of(Tensor.ofFloats("x", new long[] {1, 2}, a, b));
  }

  @Test
  void shouldLoadTheClassNamedInOptionsAndRunItWithItsFiles() throws Exception {
    try (LoadedModel m = load(Map.of("class", "example.Doubler"), null, 1)) {
      assertThat(m.platform()).isEqualTo("java");
      assertThat(m.infer(x(1, 2)).outputs().get(0).asFloatArray()).containsExactly(3f, 6f);
    }
  }

  @Test
  void shouldFindThePredictorThroughTheJarsServiceFile() throws Exception {
    try (LoadedModel m = load(Map.of(), "example.Doubler\n", 1)) {
      assertThat(m.infer(x(2, 2)).outputs().get(0).asFloatArray()).containsExactly(6f, 6f);
    }
  }

  @Test
  void shouldKeepThePredictorsClassesInItsOwnLoader() throws Exception {
    try (LoadedModel m = load(Map.of("class", "example.Doubler"), null, 1)) {
      assertThatThrownBy(() -> Class.forName("example.Doubler"))
          .isInstanceOf(ClassNotFoundException.class);
    }
  }

  @Test
  void shouldTurnUserExceptionsIntoEngineErrorsWithTheMessageAndKeepServing() throws Exception {
    try (LoadedModel m = load(Map.of("class", "example.Doubler"), null, 1)) {
      assertThatThrownBy(() -> m.infer(x(-1, 0)))
          .isInstanceOf(EngineException.class)
          .hasMessageContaining("IllegalStateException")
          .hasMessageContaining("negative input -1.0");
      assertThatThrownBy(() -> m.infer(x(42, 0)))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("must not be 42");
      assertThat(m.infer(x(1, 1)).outputs()).hasSize(1);
    }
  }

  @Test
  void shouldRefuseAnAnswerThatDoesNotFitTheDeclaredOutputsAndKeepServing() throws Exception {
    try (LoadedModel m = load(Map.of("class", "example.Doubler"), null, 8)) {
      assertThatThrownBy(() -> m.infer(x(7, 0)))
          .isInstanceOf(EngineException.class)
          .hasMessageContaining("does not fit model.yaml: output 'z' is not declared");
      assertThatThrownBy(() -> m.inferBatch(List.of(x(1, 1), x(7, 7))))
          .isInstanceOf(EngineException.class)
          .hasMessageContaining("output 'z'");
      assertThat(m.infer(x(1, 1)).outputs().get(0).name()).isEqualTo("y");
    }
  }

  @Test
  void shouldHandABatchToPredictBatch() throws Exception {
    try (LoadedModel m = load(Map.of("class", "example.Doubler"), null, 8)) {
      List<InferenceResponse> out = m.inferBatch(List.of(x(1, 1), x(2, 2), x(3, 3)));
      assertThat(out).hasSize(3);
      assertThat(out.get(2).outputs().get(0).asFloatArray()).containsExactly(9f, 9f);
    }
  }

  @Test
  void shouldSayWhatIsMissingWhenTheClassIsNotInTheJar() {
    assertThatThrownBy(() -> load(Map.of("class", "example.Missing"), null, 1))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("example.Missing")
        .hasMessageContaining("predictor.jar");
    assertThatThrownBy(() -> load(Map.of(), null, 1))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("no predictor class");
  }
}
