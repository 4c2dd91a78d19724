package dev.kairos.runtime.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.runtime.core.InferenceService;
import dev.kairos.runtime.core.TestModels;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.sdk.replica.ReplicaToken;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A replica with a token configured, on a real port: only callers with the token get through. */
class ReplicaTokenCheckTest {
  private static final HttpClient http = HttpClient.newHttpClient();
  private static final ReplicaToken token = ReplicaToken.random();
  private static Vertx vertx;
  private static InferenceService service;
  private static RuntimeServer server;
  private static String base;
  private static byte[] request;

  @BeforeAll
  static void start() throws Exception {
    ModelDirectory mlp = TestModels.dir("mlp");
    request = Files.readAllBytes(TestModels.EXAMPLES.resolve("mlp/golden/request.json"));
    vertx = Vertx.vertx();
    service = TestModels.service(mlp, TestModels.load(mlp));
    server =
        new RuntimeServer(
            vertx,
            service,
            1 << 20,
            () -> TestModels.load(mlp),
            ReplicaTokenCheck.requiring(token));
    server.listen("127.0.0.1", 0).toCompletionStage().toCompletableFuture().join();
    base = "http://127.0.0.1:" + server.port();
  }

  @AfterAll
  static void stop() {
    server.close().toCompletionStage().toCompletableFuture().join();
    service.close();
    vertx.close();
  }

  private static HttpResponse<String> call(String method, String path, byte[] body, String secret)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    if (secret != null) {
      b.header(ReplicaToken.HEADER, secret);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldRefuseInferenceWithoutTheTokenOrWithAnotherAndServeItWithTheToken() throws Exception {
    HttpResponse<String> none = call("POST", "/v2/models/mlp/infer", request, null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.body()).contains(ReplicaToken.HEADER);
    assertThat(call("POST", "/v2/models/mlp/infer", request, "x".repeat(64)).statusCode())
        .isEqualTo(401);
    assertThat(call("GET", "/v2/models/mlp", null, null).statusCode()).isEqualTo(401);
    assertThat(call("GET", "/v2", null, null).statusCode()).isEqualTo(401);
    assertThat(call("POST", "/v2/models/mlp/infer", request, token.secret()).statusCode())
        .isEqualTo(200);
  }

  @Test
  void shouldRefuseUnloadAndLoadWithoutTheTokenAndKeepTheModelLoaded() throws Exception {
    assertThat(call("POST", "/v2/repository/models/mlp/unload", new byte[0], null).statusCode())
        .isEqualTo(401);
    assertThat(call("POST", "/v2/repository/models/mlp/load", new byte[0], null).statusCode())
        .isEqualTo(401);
    assertThat(service.ready()).isTrue();
    assertThat(call("POST", "/v2/models/mlp/infer", request, token.secret()).statusCode())
        .isEqualTo(200);
  }

  @Test
  void shouldAnswerTheKubeletProbesAndTheMetricsScrapeWithoutTheToken() throws Exception {
    assertThat(call("GET", "/v2/health/live", null, null).statusCode()).isEqualTo(200);
    assertThat(call("GET", "/v2/health/ready", null, null).statusCode()).isEqualTo(200);
    assertThat(call("GET", "/metrics", null, null).statusCode()).isEqualTo(200);
  }
}
