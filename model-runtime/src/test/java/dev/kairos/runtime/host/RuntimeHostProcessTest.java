package dev.kairos.runtime.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.runtime.RuntimeMain;
import dev.kairos.runtime.core.TestModels;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code RuntimeMain --shared-host} as a real child process, started as the platform would. */
class RuntimeHostProcessTest {
  private static final Path STDERR = Path.of("target", "runtime-host-process-test.err");

  private static Process start(String... args) throws Exception {
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-cp",
                pathingJar().toString(),
                RuntimeMain.class.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectError(STDERR.toFile()).start();
  }

  /**
   * The test class path as one jar whose manifest lists it. ONNX Runtime 1.29's native start
   * crashes the JVM (SIGSEGV, no error file) when {@code java.class.path} is long (a few thousand
   * characters, as Maven's test class path is); the platform's own jar lists its libraries the same
   * way, so this is also how a host is really started.
   */
  private static Path pathingJar() throws Exception {
    Path jar = Path.of("target", "runtime-host-classpath.jar").toAbsolutePath();
    StringBuilder cp = new StringBuilder();
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      cp.append(Path.of(entry).toAbsolutePath().toUri()).append(' ');
    }
    java.util.jar.Manifest manifest = new java.util.jar.Manifest();
    manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest
        .getMainAttributes()
        .put(java.util.jar.Attributes.Name.CLASS_PATH, cp.toString().trim());
    try (java.util.jar.JarOutputStream out =
        new java.util.jar.JarOutputStream(Files.newOutputStream(jar), manifest)) {
      // the manifest is all it holds
    }
    return jar;
  }

  private static String firstLine(Process p, String... prefixes) throws Exception {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      for (String prefix : prefixes) {
        if (line.startsWith(prefix)) {
          return line;
        }
      }
    }
    return "(exited with status " + p.waitFor() + ")";
  }

  @Test
  void shouldStartWithNoModelSayReadyAndServeWhatItIsAskedToLoad() throws Exception {
    Process p =
        start("--shared-host", "--memory-budget", "256Mi", "--cores", "1", "--exit-with-parent");
    try {
      String ready = firstLine(p, RuntimeMain.READY_PREFIX, RuntimeMain.FAILED_PREFIX);
      assertThat(ready).startsWith(RuntimeMain.READY_PREFIX).endsWith(" capacity=0");
      int port =
          Integer.parseInt(ready.substring(RuntimeMain.READY_PREFIX.length()).split(" ")[0].trim());
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + port;
      HttpResponse<String> load =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/v2/repository/models/mlp/load"))
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"parameters\":{\"model_dir\":\""
                              + TestModels.EXAMPLES.resolve("mlp")
                              + "\"}}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(load.statusCode()).as(load.body()).isEqualTo(200);
      HttpResponse<String> answer =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/v2/models/mlp/infer"))
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofFile(
                          TestModels.EXAMPLES.resolve("mlp/golden/request.json")))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      assertThat(answer.body()).contains("\"model_name\":\"mlp\"");
    } finally {
      p.getOutputStream().close(); // --exit-with-parent: closing its input ends it
      if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  @Test
  void shouldRefuseAModelDirOnAHostWithAClearReason() throws Exception {
    Process p = start("--shared-host", "--model-dir", Files.createTempDirectory("m").toString());
    assertThat(firstLine(p, RuntimeMain.FAILED_PREFIX))
        .contains("--shared-host starts with no model");
    assertThat(p.waitFor()).isEqualTo(2);
  }

  @Test
  void shouldRefuseABadMemoryBudgetNamingTheFlag() throws Exception {
    Process p = start("--shared-host", "--memory-budget", "lots");
    assertThat(firstLine(p, RuntimeMain.FAILED_PREFIX))
        .contains("--memory-budget = 'lots', expected a size such as 512Mi or 2Gi");
    assertThat(p.waitFor()).isEqualTo(3);
  }
}
