package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kairos.gateway.auth.ApiKeys;
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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code kairos serve} with an admin key and an API keys file at DEBUG, goes through auth
 * failures, admin calls and their errors, a key reload and a deploy, then greps everything the
 * platform wrote (gateway and replica stdout and stderr, answers' bodies, the repository) for the
 * secrets: none may appear.
 */
class SecretsInLogsIT {
  private static final Path MLP = KairosProcess.HOME.resolve("examples/models/mlp");

  @TempDir Path work;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<String> answers = new ArrayList<>();

  @Test
  void shouldNeverWriteAKeyIntoALogOrAnAnswer() throws Exception {
    SplittableRandom random = new SplittableRandom(42);
    String admin = secret("adm", random);
    String app = secret("app", random);
    String ops = secret("ops", random);
    Path repo = work.resolve("models");
    Files.createDirectories(repo.resolve("mlp/1"));
    Files.copy(MLP.resolve("1/model.onnx"), repo.resolve("mlp/1/model.onnx"));
    Files.writeString(
        repo.resolve("mlp/model.yaml"),
        Files.readString(MLP.resolve("model.yaml"))
            + "scaling: {minReplicas: 1, maxReplicas: 1}\n");
    Path keys = work.resolve("keys.txt");
    Files.writeString(keys, "app " + ApiKeys.sha256Hex(app) + " infer:mlp\n");

    List<String> cmd =
        List.of(
            KairosProcess.HOME.resolve("kairos").toString(),
            "serve",
            "--port",
            "0",
            "--admin-port",
            "0",
            "--warm-pool",
            "0",
            "--models",
            repo.toString(),
            "--admin-key",
            admin,
            "--api-keys",
            keys.toString());
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("KAIROS_SKIP_BUILD", "1");
    pb.environment().put("KAIROS_LOG_LEVEL", "DEBUG");
    Process p = pb.start();
    List<String> log = new CopyOnWriteArrayList<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                BlockedLoops.Log blocked = new BlockedLoops.Log();
                String line;
                while ((line = r.readLine()) != null) {
                  log.add(line);
                  blocked.line(line);
                }
                blocked.end();
              } catch (java.io.IOException ignored) {
                // the process ended
              }
            });
    reader.start();
    try {
      await()
          .atMost(Duration.ofSeconds(120))
          .until(() -> String.join("\n", log).contains("Kairos ready") || !p.isAlive());
      String out = String.join("\n", log);
      String url = find(out, "gateway listening on (http://\\S+)");
      String adminUrl = find(out, "Admin API on (http://\\S+)");
      byte[] request = Files.readAllBytes(MLP.resolve("golden/request.json"));

      // the data plane: no key, a wrong key, a key without the scope, the right key
      expect(401, post(url + "/v2/models/mlp/infer", request, Map.of()));
      expect(401, post(url + "/v2/models/mlp/infer", request, bearer(app + "x")));
      expect(401, post(url + "/v2/models/mlp/infer", request, Map.of("X-API-Key", "x" + app)));
      expect(403, post(url + "/v2/models/mlp/infer", request, bearer(admin)));
      expect(200, post(url + "/v2/models/mlp/infer", request, bearer(app)));
      expect(200, post(url + "/v2/models/mlp/infer", request, Map.of("X-API-Key", app)));
      expect(400, post(url + "/v2/models/mlp/infer", "{\"inputs\": 1}".getBytes(), bearer(app)));
      // the admin API: wrong keys, then errors made with the right one
      expect(401, get(adminUrl + "/admin/models", bearer(admin.toUpperCase())));
      expect(403, get(adminUrl + "/admin/models", bearer(app)));
      expect(401, get(adminUrl + "/admin/models", Map.of("Authorization", "Basic " + admin)));
      expect(200, get(adminUrl + "/admin/models", bearer(admin)));
      expect(400, put(adminUrl + "/admin/models/mlp/scaling", "{\"maxReplicas\": -3}", admin));
      expect(200, put(adminUrl + "/admin/models/mlp/scaling", "{\"maxReplicas\": 2}", admin));
      expect(404, post(adminUrl + "/admin/models/nosuch/load", new byte[0], bearer(admin)));
      expect(400, post(adminUrl + "/admin/deploy?name=x", "not a zip".getBytes(), bearer(admin)));
      // key reload: a new admin key, then a keys file that does not parse
      Files.writeString(
          keys,
          "app "
              + ApiKeys.sha256Hex(app)
              + " infer:mlp\nops "
              + ApiKeys.sha256Hex(ops)
              + " admin\n");
      expect(200, post(adminUrl + "/admin/keys/reload", new byte[0], bearer(admin)));
      expect(200, get(adminUrl + "/admin/models", bearer(ops)));
      Files.writeString(keys, "ops " + ops + " admin\n"); // a secret where its hash belongs
      HttpResponse<String> bad = post(adminUrl + "/admin/keys/reload", new byte[0], bearer(ops));
      assertThat(bad.statusCode()).as(bad.body()).isBetween(400, 599);
      expect(200, get(adminUrl + "/admin/models", bearer(ops)));
    } finally {
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      reader.join(10_000);
    }

    String everything = String.join("\n", log) + "\n" + String.join("\n", answers);
    assertThat(everything)
        .as("what the platform wrote")
        .contains("admin scaling model=mlp")
        .contains("Kairos ready");
    List<String> written = new ArrayList<>(List.of(everything));
    try (Stream<Path> s = Files.walk(repo)) {
      for (Path f : s.filter(Files::isRegularFile).toList()) {
        if (!f.toString().endsWith(".onnx")) {
          written.add(Files.readString(f));
        }
      }
    }
    for (String secret : List.of(admin, app, ops)) {
      for (String text : written) {
        assertThat(text).as("a secret in what Kairos wrote").doesNotContain(secret);
      }
    }
  }

  private static String secret(String prefix, SplittableRandom random) {
    byte[] b = new byte[16];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) random.nextInt(256);
    }
    return prefix + "-" + HexFormat.of().formatHex(b);
  }

  private static String find(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertThat(m.find()).as(text).isTrue();
    return m.group(1);
  }

  private static Map<String, String> bearer(String secret) {
    return Map.of("Authorization", "Bearer " + secret);
  }

  private void expect(int status, HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.uri() + " -> " + r.body()).isEqualTo(status);
  }

  private HttpResponse<String> post(String url, byte[] body, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    return keep(http.send(b.build(), HttpResponse.BodyHandlers.ofString()));
  }

  private HttpResponse<String> get(String url, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
    headers.forEach(b::header);
    return keep(http.send(b.build(), HttpResponse.BodyHandlers.ofString()));
  }

  private HttpResponse<String> put(String url, String json, String secret) throws Exception {
    HttpRequest r =
        HttpRequest.newBuilder(URI.create(url))
            .header("Authorization", "Bearer " + secret)
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(json))
            .build();
    return keep(http.send(r, HttpResponse.BodyHandlers.ofString()));
  }

  private HttpResponse<String> keep(HttpResponse<String> r) {
    answers.add(r.statusCode() + " " + r.headers().map() + " " + r.body());
    return r;
  }
}
