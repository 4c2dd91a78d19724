package dev.kairos.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.runtime.engine.java.PredictorJars;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica whose model fails to load with an {@link Error} rather than an exception still says so
 * and exits, as for any other failed load: a supervisor waiting for its ready line must not wait
 * for a process that will never print one.
 */
class FailedStartProcessTest {
  private static final String FAILING =
      """
      package example;

      import dev.kairos.sdk.oip.*;
      import dev.kairos.sdk.predictor.*;

      public final class Failing implements Predictor {
        public void load(ModelContext context) {
          throw new AssertionError("the weights do not add up");
        }

        public InferenceResponse predict(InferenceRequest request) {
          return InferenceResponse.of(request.requireInput("x").withName("y"));
        }
      }
      """;

  @TempDir Path root;

  @Test
  void shouldReportALoadThatFailsWithAnErrorAndExit() throws Exception {
    Path dir = root.resolve("failing");
    PredictorJars.build(dir, Map.of("example.Failing", FAILING), "example.Failing");
    Files.writeString(
        dir.resolve("model.yaml"),
        String.join(
            "\n",
            "name: failing",
            "engine: java",
            "inputs:  [{name: x, datatype: FP32, shape: [-1, 2]}]",
            "outputs: [{name: y, datatype: FP32, shape: [-1, 2]}]"));
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                RuntimeMain.class.getName(),
                "--model-dir",
                dir.toString(),
                "--cores",
                "1")
            .redirectError(root.resolve("stderr").toFile())
            .start();
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line;
      String said = "(exited)";
      while ((line = out.readLine()) != null) {
        if (line.startsWith(RuntimeMain.READY_PREFIX)
            || line.startsWith(RuntimeMain.FAILED_PREFIX)) {
          said = line;
          break;
        }
      }
      assertThat(said).startsWith(RuntimeMain.FAILED_PREFIX).contains("the weights do not add up");
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("the process exits").isTrue();
      assertThat(p.exitValue()).isEqualTo(3);
    } finally {
      p.destroyForcibly();
    }
  }
}
