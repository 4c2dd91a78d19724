package dev.kairos.runtime.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.runtime.core.InferenceService;
import dev.kairos.runtime.core.TestModels;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.oip.OipJsonDecoder;
import dev.kairos.sdk.oip.OipJsonEncoder;
import dev.kairos.sdk.oip.RequestedOutput;
import dev.kairos.sdk.tensor.Tensor;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RuntimeServerTest {
  private static final ObjectMapper json = new ObjectMapper();
  private static final HttpClient http = HttpClient.newHttpClient();
  private static ModelDirectory mlp;
  private static Vertx vertx;
  private static InferenceService service;
  private static RuntimeServer server;
  private static String base;

  @BeforeAll
  static void start() {
    mlp = TestModels.dir("mlp");
    vertx = Vertx.vertx();
    service = TestModels.service(mlp, TestModels.load(mlp));
    server = new RuntimeServer(vertx, service, 1 << 20, () -> TestModels.load(mlp));
    server.listen("127.0.0.1", 0).toCompletionStage().toCompletableFuture().join();
    base = "http://127.0.0.1:" + server.port();
  }

  @AfterAll
  static void stop() {
    server.close().toCompletionStage().toCompletableFuture().join();
    service.close();
    vertx.close();
  }

  private static HttpResponse<byte[]> post(String path, byte[] body, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldServeAnH2cUpgradeRequestAsHttp11() throws Exception {
    // Java's default client offers "Upgrade: h2c" on http:// URLs; an upgraded request's body
    // would be read with no back-pressure, so the replica declines and answers in HTTP/1.1.
    byte[] request = Files.readAllBytes(TestModels.EXAMPLES.resolve("mlp/golden/request.json"));
    HttpResponse<byte[]> resp =
        post("/v2/models/mlp/infer", request, Map.of("Content-Type", "application/json"));
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(resp.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
  }

  @Test
  void shouldShed503BeforeDecodingWhenTheReplicaHoldsAllItCanAndServeAgainAfter() throws Exception {
    byte[] request = Files.readAllBytes(TestModels.EXAMPLES.resolve("mlp/golden/request.json"));
    Map<String, String> jsonType = Map.of("Content-Type", "application/json");
    int held = 0;
    while (service.tryAdmit()) { // stands for requests in progress: queue and batch full
      held++;
    }
    try {
      assertThat(held)
          .isEqualTo(
              mlp.config().batching().maxQueueSize() + mlp.config().batching().maxBatchSize());
      HttpResponse<byte[]> shed = post("/v2/models/mlp/infer", request, jsonType);
      assertThat(shed.statusCode()).isEqualTo(503);
      assertThat(shed.headers().firstValue("Retry-After")).hasValue("1");
      assertThat(new String(shed.body(), java.nio.charset.StandardCharsets.UTF_8))
          .contains("overloaded");
      // not even a malformed body is read: the refusal comes first
      assertThat(post("/v2/models/mlp/infer", "{".getBytes(), jsonType).statusCode())
          .isEqualTo(503);
    } finally {
      for (int i = 0; i < held; i++) {
        service.leave();
      }
    }
    assertThat(post("/v2/models/mlp/infer", request, jsonType).statusCode()).isEqualTo(200);
    assertThat(service.admitted()).isZero();
  }

  @Test
  void shouldAnswerTheGoldenRequestWithTheGoldenResponse() throws Exception {
    byte[] request = Files.readAllBytes(TestModels.EXAMPLES.resolve("mlp/golden/request.json"));
    HttpResponse<byte[]> r = post("/v2/models/mlp/infer", request, Map.of());
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode got = json.readTree(r.body()).get("outputs").get(0).get("data");
    JsonNode want =
        json.readTree(TestModels.EXAMPLES.resolve("mlp/golden/response.json").toFile())
            .get("outputs")
            .get(0)
            .get("data");
    assertThat(got.size()).isEqualTo(want.size());
    for (int i = 0; i < want.size(); i++) {
      assertThat(got.get(i).asDouble()).isCloseTo(want.get(i).asDouble(), within());
    }
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-4);
  }

  @Test
  void shouldSpeakTheBinaryTensorExtensionBothWays() throws Exception {
    float[] v = new float[3 * 16];
    for (int i = 0; i < v.length; i++) {
      v[i] = i / 50f;
    }
    InferenceRequest req =
        new InferenceRequest(
            "bin",
            Map.of(),
            List.of(Tensor.ofFloats("features", new long[] {3, 16}, v)),
            List.of(new RequestedOutput("scores", Map.of("binary_data", true))));
    OipJsonEncoder.Encoded body = new OipJsonEncoder().encodeRequest(req, Set.of("features"));
    HttpResponse<byte[]> r =
        post(
            "/v2/models/mlp/infer",
            body.body(),
            Map.of(RuntimeServer.HEADER_LENGTH, Integer.toString(body.jsonLength())));
    assertThat(r.statusCode()).isEqualTo(200);
    String jsonLength = r.headers().firstValue(RuntimeServer.HEADER_LENGTH).orElseThrow();
    InferenceResponse resp =
        new OipJsonDecoder().decodeResponse(r.body(), Integer.parseInt(jsonLength));
    assertThat(resp.outputs().get(0).shape()).containsExactly(3, 4);
    assertThat(resp.id()).isEqualTo("bin");

    HttpResponse<byte[]> asJson =
        post(
            "/v2/models/mlp/infer",
            new OipJsonEncoder().encodeRequest(InferenceRequest.of(req.inputs().get(0))),
            Map.of());
    InferenceResponse jsonResp = new OipJsonDecoder().decodeResponse(asJson.body());
    assertThat(resp.outputs().get(0).asFloatArray())
        .containsExactly(jsonResp.outputs().get(0).asFloatArray());
  }

  @Test
  void shouldListTheExtensionsInServerMetadataAndThePlatformInModelMetadata() throws Exception {
    assertThat(get("/v2").body()).contains("binary_tensor_data");
    assertThat(get("/v2/models/mlp").body()).contains("onnx_onnxv1").contains("\"1\"");
  }

  @Test
  void shouldAnswerABadTimeoutWith400AndCountAnswersInMetrics() throws Exception {
    byte[] request = Files.readAllBytes(TestModels.EXAMPLES.resolve("mlp/golden/request.json"));
    HttpResponse<byte[]> bad = post("/v2/models/mlp/infer", request, Map.of("timeout", "soon"));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(new String(bad.body())).contains("timeout");
    assertThat(post("/v2/models/mlp/infer", request, Map.of("timeout", "5s")).statusCode())
        .isEqualTo(200);
    HttpResponse<String> metrics = get("/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body())
        .contains("kairos_runtime_requests_total{code=\"200\",model=\"mlp\",version=\"1\"}")
        .contains("kairos_runtime_queue_seconds_bucket")
        .contains("kairos_runtime_compute_seconds_count")
        .contains("kairos_runtime_batch_size_bucket");
  }

  @Test
  void shouldUnloadAndLoadTheModelWithoutRestarting() throws Exception {
    byte[] request = Files.readAllBytes(TestModels.EXAMPLES.resolve("mlp/golden/request.json"));
    assertThat(post("/v2/repository/models/mlp/unload", new byte[0], Map.of()).statusCode())
        .isEqualTo(200);
    try {
      assertThat(get("/v2/repository/index").body()).contains("\"state\":\"UNAVAILABLE\"");
      assertThat(get("/v2/models/mlp/ready").statusCode()).isEqualTo(503);
      HttpResponse<byte[]> r = post("/v2/models/mlp/infer", request, Map.of());
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.headers().firstValue("Retry-After")).isPresent();
    } finally {
      assertThat(post("/v2/repository/models/mlp/load", new byte[0], Map.of()).statusCode())
          .isEqualTo(200);
    }
    assertThat(get("/v2/models/mlp/ready").statusCode()).isEqualTo(200);
    assertThat(post("/v2/models/mlp/infer", request, Map.of()).statusCode()).isEqualTo(200);
    assertThat(get("/v2/repository/index").body())
        .isEqualTo("[{\"name\":\"mlp\",\"version\":\"1\",\"state\":\"READY\"}]");
    assertThat(post("/v2/repository/models/other/load", new byte[0], Map.of()).statusCode())
        .isEqualTo(404);
  }
}
