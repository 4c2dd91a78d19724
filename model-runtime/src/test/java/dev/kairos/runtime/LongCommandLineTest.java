package dev.kairos.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.runtime.core.TestModels;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A runtime started with a very long command line, as a parent passing its own class path with
 * {@code -cp} starts one. ONNX Runtime's environment creation walks the command line recursively;
 * on the main thread's stack a long one killed the process with SIGSEGV (status 139) before it was
 * ready.
 */
class LongCommandLineTest {
  /**
   * Far past the length that crashed a default stack, and past what the creating thread's stack
   * floor alone covers, so the stack must grow with the command line; under the kernel's limit on
   * one argument.
   */
  private static final int CLASS_PATH_CHARS = 120_000;

  private static final Path MLP = TestModels.EXAMPLES.resolve("mlp");
  private static final Path STDERR = Path.of("target", "long-command-line-test.err");
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void shouldServeTheMlpWhenStartedWithAClassPathOfAHundredThousandCharacters() throws Exception {
    String classPath = paddedClassPath();
    assertThat(classPath.length()).isGreaterThan(CLASS_PATH_CHARS);
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-cp",
                classPath,
                RuntimeMain.class.getName(),
                "--model-dir",
                MLP.toString(),
                "--port",
                "0",
                "--cores",
                "1")
            .redirectError(STDERR.toFile())
            .start();
    try {
      String ready = readyLine(p);
      assertThat(ready).as(ready + "\n" + stderr()).startsWith(RuntimeMain.READY_PREFIX);
      int port = Integer.parseInt(ready.substring(RuntimeMain.READY_PREFIX.length()).split(" ")[0]);
      HttpResponse<String> answer =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + port + "/v2/models/mlp/infer"))
                      .header("Content-Type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofFile(MLP.resolve("golden/request.json")))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      JsonNode expected =
          JSON.readTree(Files.readString(MLP.resolve("golden/response.json")))
              .at("/outputs/0/data");
      JsonNode actual = JSON.readTree(answer.body()).at("/outputs/0/data");
      assertThat(actual.size()).as(answer.body()).isEqualTo(expected.size());
      for (int i = 0; i < expected.size(); i++) {
        assertThat(actual.get(i).asDouble())
            .isCloseTo(expected.get(i).asDouble(), org.assertj.core.data.Offset.offset(1e-5));
      }
    } finally {
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  /** The test's own class path followed by entries that do not exist, as a JVM tolerates. */
  private static String paddedClassPath() {
    StringBuilder cp = new StringBuilder(System.getProperty("java.class.path"));
    Path missing = Path.of("target", "no-such-dir").toAbsolutePath();
    for (int i = 0; cp.length() <= CLASS_PATH_CHARS; i++) {
      cp.append(File.pathSeparator).append(missing.resolve("padding-" + i + ".jar"));
    }
    return cp.toString();
  }

  private static String readyLine(Process p) throws Exception {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    for (String line; (line = out.readLine()) != null; ) {
      if (line.startsWith(RuntimeMain.READY_PREFIX) || line.startsWith(RuntimeMain.FAILED_PREFIX)) {
        return line;
      }
    }
    return "(exited with status " + p.waitFor() + " before it was ready)";
  }

  private static String stderr() throws Exception {
    return Files.exists(STDERR) ? Files.readString(STDERR) : "";
  }
}
