package dev.kairos.runtime.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.runtime.core.TestModels;
import dev.kairos.runtime.engine.EngineRegistry;
import dev.kairos.runtime.engine.java.PredictorJars;
import dev.kairos.runtime.metrics.RuntimeMeters;
import dev.kairos.runtime.server.ReplicaTokenCheck;
import dev.kairos.runtime.server.RuntimeServer;
import dev.kairos.sdk.replica.ReplicaToken;
import dev.kairos.sdk.time.Clock;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A runtime host on a loopback port, driven as the platform would: load, infer, unload. */
class RuntimeHostServerTest {
  private static final Logger log = LoggerFactory.getLogger(RuntimeHostServerTest.class);
  private static final ObjectMapper json = new ObjectMapper();
  private static final HttpClient http = HttpClient.newHttpClient();
  private static Vertx vertx;

  @TempDir Path root;
  private ModelHost host;
  private RuntimeServer server;
  private String base;

  @BeforeAll
  static void vertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() {
    vertx.close();
  }

  private void start(long budget, TrustedPredictors trusted) {
    start(budget, trusted, ReplicaTokenCheck.open());
  }

  private void start(long budget, TrustedPredictors trusted, ReplicaTokenCheck door) {
    host =
        new ModelHost(
            new HostConfig(budget, 2, Duration.ofMinutes(10), 1, 1, 1, trusted),
            EngineRegistry.discover(),
            Clock.system(),
            new RuntimeMeters(),
            new FootprintMeter(new ResidentMemory()));
    server = new RuntimeServer(vertx, host, new HostRepository(host, root), 1 << 20, door);
    server.listen("127.0.0.1", 0).toCompletionStage().toCompletableFuture().join();
    base = "http://127.0.0.1:" + server.port();
  }

  private void start() {
    start(1L << 30, TrustedPredictors.none());
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close().toCompletionStage().toCompletableFuture().join();
      host.close();
    }
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return post(path, body, null);
  }

  private HttpResponse<String> post(String path, String body, ReplicaToken token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header(ReplicaToken.HEADER, token.secret());
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> load(String model, Path dir) throws Exception {
    return post(
        "/v2/repository/models/" + model + "/load",
        json.writeValueAsString(Map.of("parameters", Map.of("model_dir", dir.toString()))));
  }

  private HttpResponse<String> inferGolden(String path, String example) throws Exception {
    return post(
        path, Files.readString(TestModels.EXAMPLES.resolve(example + "/golden/request.json")));
  }

  private static void assertGolden(HttpResponse<String> answer, String example) throws Exception {
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    JsonNode want =
        json.readTree(TestModels.EXAMPLES.resolve(example + "/golden/response.json").toFile());
    JsonNode got = json.readTree(answer.body());
    JsonNode w = want.get("outputs").get(0).get("data");
    JsonNode g = got.get("outputs").get(0).get("data");
    assertThat(g.size()).isEqualTo(w.size());
    for (int i = 0; i < w.size(); i++) {
      assertThat(g.get(i).asDouble())
          .isCloseTo(w.get(i).asDouble(), org.assertj.core.data.Offset.offset(1e-4));
    }
  }

  @Test
  void shouldLoadTheMlpIntoARunningHostAndAnswerItsFirstRequest() throws Exception {
    start();
    assertThat(get("/v2/health/ready").statusCode()).isEqualTo(200);
    assertThat(inferGolden("/v2/models/mlp/infer", "mlp").statusCode()).isEqualTo(404);

    long t0 = System.nanoTime();
    HttpResponse<String> loaded = load("mlp", TestModels.EXAMPLES.resolve("mlp"));
    HttpResponse<String> first = inferGolden("/v2/models/mlp/infer", "mlp");
    long firstAnswerMs = (System.nanoTime() - t0) / 1_000_000;

    assertThat(loaded.statusCode()).as(loaded.body()).isEqualTo(200);
    JsonNode l = json.readTree(loaded.body());
    assertThat(l.get("name").asText()).isEqualTo("mlp");
    assertThat(l.get("version").asText()).isEqualTo("1");
    assertThat(l.get("already_loaded").asBoolean()).isFalse();
    assertThat(l.get("footprint_bytes").asLong()).isGreaterThanOrEqualTo(22_854);
    assertThat(l.get("capacity").asInt()).isPositive();
    assertGolden(first, "mlp");
    log.info(
        "mlp loaded into a running host in {} ms; first answer {} ms after the load request",
        l.get("load_ms").asDouble(),
        firstAnswerMs);
    assertThat(
            json.readTree(load("mlp", TestModels.EXAMPLES.resolve("mlp")).body())
                .get("already_loaded")
                .asBoolean())
        .isTrue();
  }

  @Test
  void shouldLoadATorchScriptModelBesideAnOnnxOne() throws Exception {
    start();
    // As --preload-engines pytorch does at host start: DJL's natives are the process's, not a
    // model's.
    EngineRegistry.discover().get("pytorch").start(1);
    assertThat(load("mlp", TestModels.EXAMPLES.resolve("mlp")).statusCode()).isEqualTo(200);
    HttpResponse<String> loaded = load("mlp-torch", TestModels.EXAMPLES.resolve("mlp-torch"));
    HttpResponse<String> first = inferGolden("/v2/models/mlp-torch/infer", "mlp-torch");
    assertThat(loaded.statusCode()).as(loaded.body()).isEqualTo(200);
    assertGolden(first, "mlp-torch");
    assertGolden(inferGolden("/v2/models/mlp/infer", "mlp"), "mlp");
    log.info(
        "mlp-torch (TorchScript) loaded into a running host in {} ms",
        json.readTree(loaded.body()).get("load_ms").asDouble());
  }

  @Test
  void shouldLoadAndServeOnlyForCallersWithTheReplicaToken() throws Exception {
    ReplicaToken token = ReplicaToken.random();
    start(1L << 30, TrustedPredictors.none(), ReplicaTokenCheck.requiring(token));
    String load =
        json.writeValueAsString(
            Map.of(
                "parameters", Map.of("model_dir", TestModels.EXAMPLES.resolve("mlp").toString())));
    assertThat(post("/v2/repository/models/mlp/load", load).statusCode()).isEqualTo(401);
    assertThat(get("/v2/repository/index").statusCode()).isEqualTo(401);
    assertThat(post("/v2/repository/models/mlp/load", load, token).statusCode()).isEqualTo(200);
    String request = Files.readString(TestModels.EXAMPLES.resolve("mlp/golden/request.json"));
    assertThat(post("/v2/models/mlp/infer", request).statusCode()).isEqualTo(401);
    assertThat(post("/v2/models/mlp/infer", request, token).statusCode()).isEqualTo(200);
    assertThat(get("/v2/health/ready").statusCode()).isEqualTo(200);
  }

  @Test
  void shouldRouteByModelAndVersionAndKeepEachModelsMetrics() throws Exception {
    start();
    assertThat(load("mlp", TestModels.EXAMPLES.resolve("mlp")).statusCode()).isEqualTo(200);
    assertThat(load("cnn", TestModels.EXAMPLES.resolve("cnn")).statusCode()).isEqualTo(200);
    assertGolden(inferGolden("/v2/models/mlp/versions/1/infer", "mlp"), "mlp");
    assertGolden(inferGolden("/v2/models/cnn/infer", "cnn"), "cnn");
    assertThat(inferGolden("/v2/models/cnn/versions/2/infer", "cnn").statusCode()).isEqualTo(404);
    assertThat(get("/v2/models/cnn").body()).contains("\"name\":\"cnn\"");

    String metrics = get("/metrics").body();
    assertThat(metrics)
        .contains("kairos_runtime_requests_total{code=\"200\",model=\"mlp\",version=\"1\"} 1")
        .contains("kairos_runtime_requests_total{code=\"200\",model=\"cnn\",version=\"1\"} 1");
    JsonNode index = json.readTree(get("/v2/repository/index").body());
    assertThat(index).hasSize(2);
    assertThat(index.findValuesAsText("state")).containsOnly("READY");

    HttpResponse<String> unloaded = post("/v2/repository/models/cnn/unload", "");
    assertThat(unloaded.statusCode()).as(unloaded.body()).isEqualTo(200);
    assertThat(inferGolden("/v2/models/cnn/infer", "cnn").statusCode()).isEqualTo(404);
    assertThat(get("/metrics").body()).doesNotContain("model=\"cnn\"");
    assertGolden(inferGolden("/v2/models/mlp/infer", "mlp"), "mlp");
    assertThat(post("/v2/repository/models/cnn/unload", "").statusCode()).isEqualTo(404);
  }

  @Test
  void shouldKeepServingItsModelsWhenAnotherFailsToLoad() throws Exception {
    start();
    assertThat(load("mlp", TestModels.EXAMPLES.resolve("mlp")).statusCode()).isEqualTo(200);
    Path broken = HostModels.copy("mlp", root, "broken", "");
    Files.write(broken.resolve("1/model.onnx"), new byte[] {8, 1, 18, 3, 'x'});
    HttpResponse<String> failed = load("broken", broken);
    assertThat(failed.statusCode()).isEqualTo(400);
    assertThat(failed.body()).contains("model 'broken' version 1 failed to load");
    assertGolden(inferGolden("/v2/models/mlp/infer", "mlp"), "mlp");
    JsonNode index = json.readTree(get("/v2/repository/index").body());
    assertThat(index.toString()).contains("\"name\":\"broken\"").contains("UNAVAILABLE");
  }

  @Test
  void shouldAnswerBadLoadsWithWhatIsWrong() throws Exception {
    start();
    assertThat(post("/v2/repository/models/mlp/load", "{not json").body()).contains("not JSON");
    HttpResponse<String> elsewhere = load("mlp", TestModels.EXAMPLES.resolve("cnn"));
    assertThat(elsewhere.statusCode()).isEqualTo(400);
    assertThat(elsewhere.body()).contains("holds model 'cnn', not 'mlp'");
    HttpResponse<String> missing = load("nothing", root.resolve("nothing"));
    assertThat(missing.statusCode()).isEqualTo(400);
    HttpResponse<String> noVersion =
        post(
            "/v2/repository/models/mlp/load",
            json.writeValueAsString(
                Map.of(
                    "parameters",
                    Map.of(
                        "model_dir",
                        TestModels.EXAMPLES.resolve("mlp").toString(),
                        "version",
                        "7"))));
    assertThat(noVersion.statusCode()).isEqualTo(400);
    assertThat(noVersion.body()).contains("model 'mlp' has no version 7");
  }

  @Test
  void shouldRefuseAModelLargerThanTheWholeBudgetNamingBothSizes() throws Exception {
    start(300 << 10, TrustedPredictors.none());
    HttpResponse<String> refused = load("cnn", TestModels.EXAMPLES.resolve("cnn"));
    assertThat(refused.statusCode()).isEqualTo(507);
    assertThat(refused.body())
        .contains("model 'cnn' version 1 takes 0.4 MiB")
        .contains("memory budget of 0.3 MiB");
    assertThat(get("/v2/health/ready").statusCode()).isEqualTo(200);
  }

  @Test
  void shouldKeepAModelThatAsksForItsOwnProcessOutOfTheHost() throws Exception {
    start();
    HttpResponse<String> refused =
        load("alone", HostModels.copy("mlp", root, "alone", "isolation: process"));
    assertThat(refused.statusCode()).isEqualTo(409);
    assertThat(refused.body()).contains("asks for isolation: process");
    assertThat(
            load("together", HostModels.copy("mlp", root, "together", "isolation: shared"))
                .statusCode())
        .isEqualTo(200);
  }

  private static final String ECHO =
      """
      package example;

      import dev.kairos.sdk.oip.*;
      import dev.kairos.sdk.predictor.*;

      public final class CLASS implements Predictor {
        public InferenceResponse predict(InferenceRequest request) {
          return InferenceResponse.of(request.requireInput("x").withName("y"));
        }
      }
      """;

  private Path echo(String name, String className, String isolation) throws Exception {
    Path dir = root.resolve(name);
    Path jar =
        PredictorJars.build(
            dir,
            Map.of("example." + className, ECHO.replace("CLASS", className)),
            "example." + className);
    Files.writeString(
        dir.resolve("model.yaml"),
        String.join(
            "\n",
            "name: " + name,
            "engine: java",
            "inputs:  [{name: x, datatype: FP32, shape: [-1, 2]}]",
            "outputs: [{name: y, datatype: FP32, shape: [-1, 2]}]",
            isolation));
    return jar;
  }

  @Test
  void shouldShareAJavaPredictorOnlyWhenItAsksAndItsJarIsTrusted() throws Exception {
    Path asking = echo("asking", "Echo", "isolation: shared");
    echo("silent", "Echo", "");
    Path trustFile = root.resolve("trusted.sha256");
    Files.writeString(trustFile, TrustedPredictors.sha256(asking) + "  asking.jar\n");
    start(1L << 30, TrustedPredictors.read(trustFile));

    HttpResponse<String> silent = load("silent", root.resolve("silent"));
    assertThat(silent.statusCode()).isEqualTo(409);
    assertThat(silent.body()).contains("asks for isolation: shared and its jar is trusted");

    assertThat(load("asking", root.resolve("asking")).statusCode()).isEqualTo(200);
    HttpResponse<String> answer =
        post(
            "/v2/models/asking/infer",
            "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,2],\"data\":[1,2]}]}");
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);

    // Another jar asking to share: its digest is not listed.
    echo("other", "Other", "isolation: shared");
    HttpResponse<String> other = load("other", root.resolve("other"));
    assertThat(other.statusCode()).isEqualTo(409);
    assertThat(other.body()).contains("not in this host's trusted predictors");
  }
}
