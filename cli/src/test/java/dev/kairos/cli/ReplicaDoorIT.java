package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kairos.sdk.replica.ReplicaToken;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kairos serve} as a user runs it, the admin key in the environment: its replicas, on
 * loopback ports any local user could reach, answer only the gateway. The token reaches them
 * through their environment, never their command line.
 */
class ReplicaDoorIT {
  private static final Path MLP = KairosProcess.HOME.resolve("examples/models/mlp");
  private static final String ADMIN = "replica-door-admin-key";

  @TempDir Path work;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void shouldRefuseDirectCallsToAReplicaAndServeThemThroughTheGateway() throws Exception {
    Path repo = work.resolve("models");
    Files.createDirectories(repo.resolve("mlp/1"));
    Files.copy(MLP.resolve("1/model.onnx"), repo.resolve("mlp/1/model.onnx"));
    Files.writeString(
        repo.resolve("mlp/model.yaml"),
        Files.readString(MLP.resolve("model.yaml"))
            + "scaling: {minReplicas: 1, maxReplicas: 1}\n");
    ProcessBuilder pb =
        new ProcessBuilder(
                KairosProcess.HOME.resolve("kairos").toString(),
                "serve",
                "--port",
                "0",
                "--admin-port",
                "0",
                "--warm-pool",
                "0",
                "--models",
                repo.toString())
            .redirectErrorStream(true);
    pb.environment().put("KAIROS_SKIP_BUILD", "1");
    pb.environment().put("KAIROS_ADMIN_KEY", ADMIN);
    Process p = pb.start();
    List<String> log = new CopyOnWriteArrayList<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  log.add(line);
                }
              } catch (java.io.IOException ignored) {
                // the process ended
              }
            });
    reader.setDaemon(true);
    reader.start();
    try {
      await()
          .atMost(Duration.ofSeconds(120))
          .until(() -> String.join("\n", log).contains("Kairos ready") || !p.isAlive());
      String out = String.join("\n", log);
      assertThat(p.isAlive()).as(out).isTrue();
      assertThat(out).doesNotContain("Warning: --admin-key");
      String url = find(out, "gateway listening on (http://\\S+)");
      String adminUrl = find(out, "Admin API on (http://\\S+)");
      byte[] request = Files.readAllBytes(MLP.resolve("golden/request.json"));

      JsonObject model =
          new JsonObject(
              send(HttpRequest.newBuilder(URI.create(adminUrl + "/admin/models/mlp"))
                      .header("Authorization", "Bearer " + ADMIN))
                  .body());
      String replica =
          "http://" + model.getJsonArray("replicas").getJsonObject(0).getString("endpoint");

      // straight to the replica, as another local user could: refused, and the model stays
      assertThat(post(replica + "/v2/repository/models/mlp/unload", new byte[0], null).statusCode())
          .isEqualTo(401);
      assertThat(post(replica + "/v2/models/mlp/infer", request, null).statusCode()).isEqualTo(401);
      assertThat(get(replica + "/v2/health/ready").statusCode()).isEqualTo(200);
      // through the gateway: served
      assertThat(post(url + "/v2/models/mlp/infer", request, null).statusCode()).isEqualTo(200);

      // the token is in the replica's environment (readable by this user only), not in ps
      ProcessHandle child =
          p.descendants()
              .filter(h -> h.info().commandLine().orElse("").contains("RuntimeMain"))
              .findFirst()
              .orElseThrow();
      String token = environ(child.pid(), ReplicaToken.ENV).orElseThrow();
      assertThat(Files.readString(Path.of("/proc/" + child.pid() + "/cmdline")))
          .doesNotContain(token);
      assertThat(out).doesNotContain(token);
      assertThat(post(replica + "/v2/models/mlp/infer", request, token).statusCode())
          .isEqualTo(200);
    } finally {
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  private static Optional<String> environ(long pid, String name) throws Exception {
    byte[] raw = Files.readAllBytes(Path.of("/proc/" + pid + "/environ"));
    for (String kv : new String(raw, StandardCharsets.UTF_8).split("\0")) {
      if (kv.startsWith(name + "=")) {
        return Optional.of(kv.substring(name.length() + 1));
      }
    }
    return Optional.empty();
  }

  private HttpResponse<String> post(String uri, byte[] body, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(uri))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (token != null) {
      b.header(ReplicaToken.HEADER, token);
    }
    return send(b);
  }

  private HttpResponse<String> get(String uri) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(uri)));
  }

  private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return http.send(
        b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String find(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    if (!m.find()) {
      throw new AssertionError("no match for " + regex + " in:\n" + text);
    }
    return m.group(1);
  }
}
