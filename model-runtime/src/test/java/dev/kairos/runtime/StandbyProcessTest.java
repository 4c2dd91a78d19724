package dev.kairos.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.runtime.core.TestModels;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code RuntimeMain --standby} as a real child process, handed its model as a warm pool does. */
class StandbyProcessTest {
  private static final Path STDERR = Path.of("target", "standby-process-test.err");
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static String line(BufferedReader out, String... prefixes) throws Exception {
    String line;
    while ((line = out.readLine()) != null) {
      for (String prefix : prefixes) {
        if (line.startsWith(prefix)) {
          return line;
        }
      }
    }
    return "(exited)";
  }

  private HttpResponse<String> infer(int port) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/models/mlp/infer"))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofFile(
                    TestModels.EXAMPLES.resolve("mlp/golden/request.json")))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldBindItsServerBeforeItIsAssignedAndServeTheModelOnThatPortAfter() throws Exception {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                RuntimeMain.class.getName(),
                "--standby",
                "--cores",
                "1",
                "--exit-with-parent")
            .redirectError(STDERR.toFile())
            .start();
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String standby = line(out, RuntimeMain.STANDBY_PREFIX, RuntimeMain.FAILED_PREFIX);
      assertThat(standby).startsWith(RuntimeMain.STANDBY_PREFIX + " port=");
      int port = Integer.parseInt(standby.substring(standby.indexOf("port=") + 5).trim());

      // bound, with no model yet: model requests are refused as not ready, with a reason
      HttpResponse<String> early = infer(port);
      assertThat(early.statusCode()).isEqualTo(503);
      assertThat(early.body()).contains("no model has been assigned");
      assertThat(early.headers().firstValue("Retry-After")).hasValue("1");

      OutputStream in = p.getOutputStream();
      in.write(
          ("--model-dir\t" + TestModels.EXAMPLES.resolve("mlp") + "\t--version\t1\n")
              .getBytes(StandardCharsets.UTF_8));
      in.flush();
      String ready = line(out, RuntimeMain.READY_PREFIX, RuntimeMain.FAILED_PREFIX);
      assertThat(ready).startsWith(RuntimeMain.READY_PREFIX + port + " ");
      HttpResponse<String> answer = infer(port);
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      assertThat(answer.body()).contains("\"model_name\":\"mlp\"");
    } finally {
      p.getOutputStream().close(); // --exit-with-parent: stdin's end stops it
      p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
      p.destroyForcibly();
    }
  }

  @Test
  void shouldStartAFreshServerWhenTheAssignmentAsksForAnotherPort() throws Exception {
    Process p =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m",
                    "-cp",
                    System.getProperty("java.class.path"),
                    RuntimeMain.class.getName(),
                    "--standby",
                    "--cores",
                    "1",
                    "--exit-with-parent"))
            .redirectError(STDERR.toFile())
            .start();
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String standby = line(out, RuntimeMain.STANDBY_PREFIX, RuntimeMain.FAILED_PREFIX);
      int early = Integer.parseInt(standby.substring(standby.indexOf("port=") + 5).trim());
      int port;
      try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
        port = free.getLocalPort();
      }
      p.getOutputStream()
          .write(
              ("--model-dir\t" + TestModels.EXAMPLES.resolve("mlp") + "\t--port\t" + port + "\n")
                  .getBytes(StandardCharsets.UTF_8));
      p.getOutputStream().flush();
      String ready = line(out, RuntimeMain.READY_PREFIX, RuntimeMain.FAILED_PREFIX);
      assertThat(ready).startsWith(RuntimeMain.READY_PREFIX + port + " ");
      assertThat(infer(port).statusCode()).isEqualTo(200);
      // the standby's own server is gone
      assertThat(
              org.assertj.core.api.Assertions.catchThrowable(
                  () -> new java.net.Socket("127.0.0.1", early).close()))
          .isInstanceOf(java.net.ConnectException.class);
    } finally {
      p.getOutputStream().close();
      p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
      p.destroyForcibly();
    }
  }
}
