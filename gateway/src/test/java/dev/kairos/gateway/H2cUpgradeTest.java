package dev.kairos.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.gateway.admin.AdminOptions;
import dev.kairos.gateway.admin.AdminServer;
import dev.kairos.gateway.auth.ApiKeyStore;
import dev.kairos.gateway.auth.ApiKeys;
import dev.kairos.gateway.support.Await;
import dev.kairos.gateway.support.FakePlatform;
import dev.kairos.gateway.support.GatewayFixture;
import dev.kairos.gateway.support.UpgradeFlood;
import dev.kairos.sdk.grpc.proto.GRPCInferenceServiceGrpcClient;
import dev.kairos.sdk.grpc.proto.ModelReadyRequest;
import io.vertx.core.Future;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The ports that speak HTTP/2 in clear text (gRPC and admin) answer an {@code Upgrade: h2c} request
 * with a large body, with or without a key, with a 400 naming what to send instead and close the
 * connection, without holding its body in the heap; then serve gRPC and HTTP/1.1 as before.
 */
class H2cUpgradeTest {
  private static final long BODY = 256L << 20;
  private static final long BOUND = 64L << 20;

  private final GatewayFixture f = new GatewayFixture();

  @AfterEach
  void close() {
    f.close();
  }

  private static ApiKeys keys() {
    return new ApiKeys(
        List.of(ApiKeys.parseLine("ops " + ApiKeys.sha256Hex("ops-secret") + " admin,infer:*")));
  }

  private void assertBounded(int port, String path, String type) throws Exception {
    assertBounded(port, path, type, null);
  }

  private void assertBounded(int port, String path, String type, String auth) throws Exception {
    long before = UpgradeFlood.heapAfterGc();
    try (UpgradeFlood flood = UpgradeFlood.start(port, path, type, auth, BODY)) {
      flood.settle(Duration.ofSeconds(60));
      long grown = UpgradeFlood.heapAfterGc() - before;
      assertThat(grown).as("heap held by one upgrade request's body").isLessThan(BOUND);
      assertThat(flood.answer()).contains("does not upgrade HTTP/1.1 to h2c");
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(flood.closedByServer()).isTrue());
    }
  }

  @Test
  void shouldNotBufferAnUpgradeBodyOnTheGrpcPort() throws Exception {
    f.start(GatewayFixture.options(), ApiKeyStore.fixed(keys()));
    int port = Await.result(f.gateway().listenGrpc(0));
    assertBounded(port, "/inference.GRPCInferenceService/ModelInfer", "application/grpc");
    assertBounded(
        port,
        "/inference.GRPCInferenceService/ModelInfer",
        "application/grpc",
        "Bearer ops-secret");

    // gRPC clients (prior knowledge) are served as before
    f.serve("mlp", "1", f.backend("a"));
    Future<GrpcStatus> ready =
        GrpcClient.client(f.vertx)
            .request(
                SocketAddress.inetSocketAddress(port, "127.0.0.1"),
                GRPCInferenceServiceGrpcClient.ModelReady)
            .compose(
                req -> {
                  req.headers().set("authorization", "Bearer ops-secret");
                  return req.send(ModelReadyRequest.newBuilder().setName("mlp").build());
                })
            .compose(resp -> resp.last().transform(ar -> Future.succeededFuture(resp.status())));
    assertThat(Await.result(ready)).isEqualTo(GrpcStatus.OK);
  }

  @Test
  void shouldNotBufferAnUpgradeBodyOnTheAdminPort() throws Exception {
    AdminServer admin =
        new AdminServer(
            f.vertx,
            AdminOptions.defaults().withPort(0),
            new FakePlatform(f.routes),
            f.routes,
            ApiKeyStore.fixed(keys()));
    // A handler that takes its body slowly (a deploy writing to a slow disk) pauses the request.
    admin.install(router -> router.post("/admin/slow").handler(ctx -> ctx.request().pause()));
    int port = Await.result(admin.listen());
    assertBounded(port, "/admin/models/mlp/deploy", "application/octet-stream");
    assertBounded(port, "/admin/slow", "application/octet-stream", "Bearer ops-secret");

    // the port keeps serving plain HTTP/1.1
    assertThat(
            f.http
                .get(
                    "http://127.0.0.1:" + port + "/admin/models",
                    "Authorization",
                    "Bearer ops-secret")
                .statusCode())
        .isEqualTo(200);
  }
}
