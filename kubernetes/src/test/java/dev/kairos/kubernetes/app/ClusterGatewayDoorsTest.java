package dev.kairos.kubernetes.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kairos.gateway.Gateway;
import dev.kairos.gateway.auth.ApiKeys;
import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.sdk.replica.ReplicaToken;
import dev.kairos.sdk.time.Clock;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster gateway's doors as {@link ClusterGatewayMain} sets them up from its environment, on
 * real ports: API keys from a Secret that may appear late, and the replica token.
 */
class ClusterGatewayDoorsTest {
  private static final String BODY =
      "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,1],\"data\":[1]}]}";
  private static final HttpClient http = HttpClient.newHttpClient();
  private static final ReplicaToken TOKEN = ReplicaToken.random();

  @TempDir Path dir;
  private Vertx vertx;
  private HttpServer replica;
  private Gateway gateway;

  @BeforeEach
  void startReplica() {
    vertx = Vertx.vertx();
    // A replica that, like a runtime pod, answers only callers with the cluster's token.
    replica =
        vertx
            .createHttpServer()
            .requestHandler(
                req -> {
                  if (!TOKEN.matches(req.getHeader(ReplicaToken.HEADER))) {
                    req.response().setStatusCode(401).end("{\"error\":\"no replica token\"}");
                  } else {
                    req.response()
                        .putHeader("Content-Type", "application/json")
                        .end("{\"model_name\":\"mlp\",\"outputs\":[]}");
                  }
                })
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .join();
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close().toCompletionStage().toCompletableFuture().join();
    }
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  private String start(Map<String, String> env) {
    ClusterSettings settings = ClusterSettings.from(env, "gw-0");
    RouteTable routes = new RouteTable();
    ModelRoute route = routes.model("mlp");
    route.version("1").add(new Replica("r0", "127.0.0.1", replica.actualPort(), 0));
    route.markReady();
    gateway =
        new Gateway(
            vertx,
            ClusterGatewayMain.options(settings)
                .withHost("127.0.0.1")
                .withPort(0)
                .withEventLoops(1),
            routes,
            ClusterGatewayMain.apiKeys(settings),
            Clock.system());
    int port = gateway.listen().toCompletionStage().toCompletableFuture().join();
    return "http://127.0.0.1:" + port;
  }

  private Map<String, String> env(Path keys, String... more) {
    Map<String, String> env = new HashMap<>();
    env.put("KAIROS_API_KEYS_FILE", keys.toString());
    env.put(ReplicaToken.ENV, TOKEN.secret());
    for (int i = 0; i < more.length; i += 2) {
      env.put(more[i], more[i + 1]);
    }
    return env;
  }

  private static int infer(String base, String key) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + "/v2/models/mlp/infer"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(BODY));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static void writeKeys(Path file, String secret) throws Exception {
    Path tmp = file.resolveSibling("keys.tmp");
    Files.write(tmp, List.of("app " + ApiKeys.sha256Hex(secret) + " infer:*"));
    // as the kubelet does: the new content appears at once, by rename
    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  @Test
  void shouldRefuseInferenceUntilTheKeysSecretAppearsThenServeOnlyItsKeys() throws Exception {
    Path keys = dir.resolve("api-keys");
    String base = start(env(keys));

    assertThat(infer(base, null)).isEqualTo(401);
    assertThat(infer(base, "anything")).isEqualTo(401);

    writeKeys(keys, "s3cret-one");
    await().atMost(Duration.ofSeconds(20)).until(() -> infer(base, "s3cret-one") == 200);
    assertThat(infer(base, null)).isEqualTo(401);

    writeKeys(keys, "s3cret-two");
    await().atMost(Duration.ofSeconds(20)).until(() -> infer(base, "s3cret-two") == 200);
    assertThat(infer(base, "s3cret-one")).isEqualTo(401);

    // the Secret is deleted: its keys stop working, and inference stays closed
    Files.delete(keys);
    await().atMost(Duration.ofSeconds(20)).until(() -> infer(base, "s3cret-two") == 401);
    assertThat(infer(base, null)).isEqualTo(401);
  }

  @Test
  void shouldServeWithoutKeysOnlyWhenAllowedExplicitlyAndOnlyUntilTheSecretAppears()
      throws Exception {
    Path keys = dir.resolve("api-keys");
    String base = start(env(keys, "KAIROS_ALLOW_UNAUTHENTICATED", "true"));

    assertThat(infer(base, null)).isEqualTo(200);

    writeKeys(keys, "s3cret");
    await().atMost(Duration.ofSeconds(20)).until(() -> infer(base, null) == 401);
    assertThat(infer(base, "s3cret")).isEqualTo(200);
  }

  @Test
  void shouldBeRefusedByTheReplicasWithoutTheClusterToken() throws Exception {
    Path keys = dir.resolve("api-keys");
    writeKeys(keys, "s3cret");
    Map<String, String> env = env(keys);
    env.remove(ReplicaToken.ENV);
    String base = start(env);

    assertThat(infer(base, "s3cret")).isEqualTo(401);
  }

  @Test
  void shouldReadTheReplicaTokenFromAMountedFile() throws Exception {
    Path keys = dir.resolve("api-keys");
    writeKeys(keys, "s3cret");
    Path tokenFile = Files.writeString(dir.resolve("token"), TOKEN.secret() + "\n");
    Map<String, String> env = env(keys, ReplicaToken.FILE_ENV, tokenFile.toString());
    env.remove(ReplicaToken.ENV);
    String base = start(env);

    assertThat(infer(base, "s3cret")).isEqualTo(200);
  }
}
