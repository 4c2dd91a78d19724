package dev.kairos.runtime.engine.java;

import dev.kairos.runtime.engine.EngineContractTest;
import dev.kairos.runtime.engine.ModelSource;
import dev.kairos.sdk.model.BatchingConfig;
import dev.kairos.sdk.model.DeviceConfig;
import dev.kairos.sdk.model.ModelConfig;
import dev.kairos.sdk.model.ScalingConfig;
import dev.kairos.sdk.model.TensorSpec;
import dev.kairos.sdk.tensor.DataType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

class JavaPredictorEngineContractTest extends EngineContractTest {
  /** A linear model: y = x W, W of 4 x 2, with an input check a compiled model would make. */
  static final String LINEAR =
      """
      package example;

      import dev.kairos.sdk.oip.*;
      import dev.kairos.sdk.predictor.*;
      import dev.kairos.sdk.tensor.Tensor;

      public final class Linear implements Predictor {
        public InferenceResponse predict(InferenceRequest request) {
          Tensor x = request.requireInput("x");
          if (x.rank() != 2 || x.dim(1) != 4) {
            throw new InvalidInputException("x must be [n, 4]");
          }
          float[] v = x.asFloatArray();
          int n = (int) x.dim(0);
          float[] y = new float[n * 2];
          for (int r = 0; r < n; r++) {
            for (int i = 0; i < 4; i++) {
              y[r * 2] += v[r * 4 + i] * (i + 1);
              y[r * 2 + 1] -= v[r * 4 + i] * i;
            }
          }
          return InferenceResponse.of(Tensor.ofFloats("y", new long[] {n, 2}, y));
        }
      }
      """;

  @TempDir Path dir;

  @Override
  protected String engineName() {
    return "java";
  }

  @Override
  protected ModelSource source() throws Exception {
    Path jar = PredictorJars.build(dir, Map.of("example.Linear", LINEAR), "example.Linear\n");
    ModelConfig config =
        new ModelConfig(
            "linear",
            "java",
            List.of(new TensorSpec("x", DataType.FP32, new long[] {-1, 4})),
            List.of(new TensorSpec("y", DataType.FP32, new long[] {-1, 2})),
            new BatchingConfig(8, Duration.ofMillis(1), 16, List.of()),
            DeviceConfig.DEFAULT,
            ScalingConfig.DEFAULT,
            Map.of(),
            Map.of());
    return new ModelSource("1", jar, config, 1);
  }
}
