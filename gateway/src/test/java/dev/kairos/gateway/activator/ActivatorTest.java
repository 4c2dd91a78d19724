package dev.kairos.gateway.activator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kairos.gateway.Gateway;
import dev.kairos.gateway.GatewayOptions;
import dev.kairos.gateway.auth.ApiKeyStore;
import dev.kairos.gateway.auth.ApiKeys;
import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.sdk.time.Clock;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway with an activator in front of a model at zero, and a real HTTP server standing in for
 * the replica that the demand listener would start.
 */
class ActivatorTest {
  private final Vertx vertx = dev.kairos.gateway.support.TestVertx.create();
  private final RouteTable routes = new RouteTable();
  private final List<String> demands = new CopyOnWriteArrayList<>();
  private final List<String> demandedVersions = new CopyOnWriteArrayList<>();
  private final HttpClient client = HttpClient.newHttpClient();
  private Activator activator;
  private Gateway gateway;
  private String base;

  private void start(ActivatorOptions options) throws Exception {
    routes.model("echo").markReady();
    routes.model("echo").version("1");
    activator =
        new Activator(
            vertx,
            routes,
            options,
            (model, version, held) -> {
              demands.add(model + ":" + held);
              demandedVersions.add(String.valueOf(version));
            });
    gateway =
        new Gateway(
            vertx,
            GatewayOptions.defaults().withPort(0),
            routes,
            ApiKeyStore.fixed(ApiKeys.none()),
            Clock.system(),
            activator);
    base = "http://127.0.0.1:" + gateway.listen().toCompletionStage().toCompletableFuture().get();
  }

  /** A replica that answers with the body it got, prefixed by its name. */
  private Replica replica(String name) throws Exception {
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .onSuccess(
                            b ->
                                req.response()
                                    .putHeader("Content-Type", "application/json")
                                    .end("{\"replica\":\"" + name + "\",\"got\":" + b + "}")));
    int port =
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get().actualPort();
    return new Replica(name, "127.0.0.1", port);
  }

  private CompletableFuture<HttpResponse<String>> infer(int i) {
    return client.sendAsync(
        HttpRequest.newBuilder(URI.create(base + "/v2/models/echo/infer"))
            .timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.ofString("{\"n\":" + i + "}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  @Test
  void shouldHoldRequestsAtZeroSignalDemandAndReleaseThemWithTheirBodiesWhenAReplicaIsReady()
      throws Exception {
    start(ActivatorOptions.defaults());
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      calls.add(infer(i));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> activator.held("echo") == 20);
    assertThat(demands).contains("echo:1", "echo:20");
    assertThat(calls).noneMatch(CompletableFuture::isDone);

    routes.model("echo").version("1").add(replica("r1"));

    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = calls.get(i).get();
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("{\"replica\":\"r1\",\"got\":{\"n\":" + i + "}}");
    }
    assertThat(activator.held("echo")).isZero();
  }

  @Test
  void shouldReleaseHeldRequestsWhenAReplicaJoinsWithoutWaitingForThePeriodicCheck()
      throws Exception {
    // a check an hour apart: only the route table's word can release them within the test
    start(ActivatorOptions.defaults().withCheckEvery(Duration.ofHours(1)));
    CompletableFuture<HttpResponse<String>> call = infer(3);
    await().atMost(Duration.ofSeconds(30)).until(() -> activator.held("echo") == 1);

    routes.model("echo").version("1").add(replica("r1"));

    HttpResponse<String> r = call.get(20, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"replica\":\"r1\",\"got\":{\"n\":3}}");
    assertThat(activator.held("echo")).isZero();
  }

  @Test
  void shouldLogHoldsAtDebugForAGatewayOfThePlatformsOwn() throws Exception {
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Activator.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
        new ch.qos.logback.core.read.ListAppender<>();
    ch.qos.logback.classic.Level before = logger.getLevel();
    logger.setLevel(ch.qos.logback.classic.Level.DEBUG);
    lines.start();
    logger.addAppender(lines);
    try {
      start(ActivatorOptions.defaults().withoutHoldLogs());
      CompletableFuture<HttpResponse<String>> call = infer(1);
      await().atMost(Duration.ofSeconds(30)).until(() -> activator.held("echo") == 1);
      routes.model("echo").version("1").add(replica("r1"));
      assertThat(call.get(20, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);

      assertThat(lines.list)
          .filteredOn(e -> e.getFormattedMessage().contains("held requests"))
          .isNotEmpty()
          .allMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.DEBUG);
      assertThat(lines.list)
          .filteredOn(e -> e.getFormattedMessage().contains("holding requests"))
          .isNotEmpty()
          .allMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.DEBUG);
      assertThat(ActivatorOptions.defaults().logHolds()).isTrue();
    } finally {
      logger.detachAppender(lines);
      logger.setLevel(before);
    }
  }

  @Test
  void shouldHoldForTheVersionTheSplitChoseWhileAnotherVersionHasReplicas() throws Exception {
    start(ActivatorOptions.defaults());
    routes.model("echo").version("1").add(replica("r1"));
    routes.model("echo").version("2");
    routes.model("echo").setTraffic(java.util.Map.of("1", 0, "2", 100));

    CompletableFuture<HttpResponse<String>> call = infer(7);
    await().atMost(Duration.ofSeconds(30)).until(() -> activator.held("echo") == 1);
    // held once for version 2, not released to version 1's replica and held again in a loop
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(5))
        .until(() -> demandedVersions.equals(List.of("2")) && activator.held("echo") == 1);
    assertThat(call).isNotDone();

    routes.model("echo").version("2").add(replica("r2"));
    HttpResponse<String> r = call.get();
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"replica\":\"r2\",\"got\":{\"n\":7}}");
  }

  @Test
  void shouldAnswer503WithRetryAfterWhenNoReplicaComesInTime() throws Exception {
    start(ActivatorOptions.defaults().withMaxWait(Duration.ofMillis(300)));
    HttpResponse<String> r = infer(1).get();
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("Retry-After")).contains("1");
    assertThat(r.body()).contains("none became ready within 300 ms");
    assertThat(activator.held("echo")).isZero();
  }

  @Test
  void shouldRefuseAtOnceBeyondTheQueueBound() throws Exception {
    start(ActivatorOptions.defaults().withMaxHeldPerModel(2));
    CompletableFuture<HttpResponse<String>> a = infer(1);
    CompletableFuture<HttpResponse<String>> b = infer(2);
    await().atMost(Duration.ofSeconds(30)).until(() -> activator.held("echo") == 2);
    HttpResponse<String> third = infer(3).get();
    assertThat(third.statusCode()).isEqualTo(503);
    assertThat(third.body()).contains("2 requests already wait");
    routes.model("echo").version("1").add(replica("r1"));
    assertThat(a.get().statusCode()).isEqualTo(200);
    assertThat(b.get().statusCode()).isEqualTo(200);
  }

  @Test
  void shouldAnswerReadinessOfAModelAtZeroFromTheRouteWithoutWakingIt() throws Exception {
    start(ActivatorOptions.defaults().withMaxWait(Duration.ofSeconds(30)));
    int grpcPort = gateway.listenGrpc(0).toCompletionStage().toCompletableFuture().get();
    routes.model("loading");
    routes.model("broken").markFailed("no artifact");
    try (dev.kairos.sdk.grpc.GrpcTransport grpc =
        dev.kairos.sdk.grpc.GrpcTransport.create("127.0.0.1", grpcPort, java.util.Map.of())) {
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> r = get("/v2/models/echo/ready");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"ready\":true");
        assertThat(get("/v2/models/echo/versions/1/ready").statusCode()).isEqualTo(200);
        assertThat(get("/v1/models/echo").body()).contains("\"ready\":true");
        // REST and gRPC agree: a loaded model at zero is ready, it serves by scaling from zero
        assertThat(grpc.isModelReady("echo", Duration.ofSeconds(5))).isTrue();
      }
      assertThat(get("/v2/models/echo/versions/9/ready").statusCode()).isEqualTo(404);
      assertThat(get("/v2/models/nope/ready").statusCode()).isEqualTo(404);
      assertThat(get("/v2/models/loading/ready").statusCode()).isEqualTo(503);
      HttpResponse<String> broken = get("/v2/models/broken/ready");
      assertThat(broken.statusCode()).isEqualTo(503);
      assertThat(broken.body()).contains("no artifact");
      assertThat(grpc.isModelReady("loading", Duration.ofSeconds(5))).isFalse();
      assertThat(grpc.isModelReady("broken", Duration.ofSeconds(5))).isFalse();
    }
    assertThat(demands).as("readiness polls must not ask for a replica").isEmpty();
    assertThat(activator.held("echo")).isZero();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldAnswerMetadataAtZeroFromWhatAReplicaSaidWithoutWakingTheModel() throws Exception {
    start(ActivatorOptions.defaults().withMaxWait(Duration.ofSeconds(30)));
    int grpcPort = gateway.listenGrpc(0).toCompletionStage().toCompletableFuture().get();
    String meta =
        "{\"name\":\"echo\",\"versions\":[\"1\"],\"platform\":\"onnxruntime_onnx\","
            + "\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[-1,2]}],"
            + "\"outputs\":[{\"name\":\"y\",\"datatype\":\"FP32\",\"shape\":[-1,2]}]}";
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(
                req -> req.response().putHeader("Content-Type", "application/json").end(meta));
    int port =
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get().actualPort();
    routes.model("echo").version("1").add(new Replica("r1", "127.0.0.1", port));
    assertThat(get("/v2/models/echo").body()).isEqualTo(meta);
    assertThat(get("/v2/models/echo/versions/1").body()).isEqualTo(meta);
    try (dev.kairos.sdk.grpc.GrpcTransport grpc =
        dev.kairos.sdk.grpc.GrpcTransport.create("127.0.0.1", grpcPort, java.util.Map.of())) {
      assertThat(grpc.isModelReady("echo", Duration.ofSeconds(5))).isTrue();
    }
    // scaled to zero
    routes.model("echo").version("1").remove("r1");
    server.close().toCompletionStage().toCompletableFuture().get();
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r = get("/v2/models/echo");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(meta);
      assertThat(get("/v2/models/echo/versions/1").body()).isEqualTo(meta);
    }
    assertThat(demands).as("metadata polls at zero must not ask for a replica").isEmpty();
    assertThat(activator.held("echo")).isZero();
  }
}
