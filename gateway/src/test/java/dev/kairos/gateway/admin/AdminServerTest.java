package dev.kairos.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.gateway.auth.ApiKeyStore;
import dev.kairos.gateway.auth.ApiKeys;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.gateway.support.FakePlatform;
import dev.kairos.gateway.support.Http;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdminServerTest {
  private static final String ADMIN = "admin-secret";
  private static final String APP = "app-secret";

  private final Http http = new Http();
  private Vertx vertx;
  private RouteTable routes;
  private AdminServer admin;
  private FakePlatform platform;
  private String base;

  @BeforeEach
  void start() throws Exception {
    vertx = dev.kairos.gateway.support.TestVertx.create();
    routes = new RouteTable();
    platform = new FakePlatform(routes).addToRepository("mlp", "1", "2");
    platform.addToRepository("cnn", "1");
    ApiKeys keys =
        new ApiKeys(
            List.of(
                ApiKeys.parseLine("ops " + ApiKeys.sha256Hex(ADMIN) + " admin"),
                ApiKeys.parseLine("app " + ApiKeys.sha256Hex(APP) + " infer:*")));
    admin =
        new AdminServer(
            vertx, AdminOptions.defaults().withPort(0), platform, routes, ApiKeyStore.fixed(keys));
    admin.install(router -> router.get("/admin/hello").handler(ctx -> ctx.end("hi")));
    admin.installPublic(
        "/console", router -> router.get("/console/*").handler(ctx -> ctx.end("page")));
    int port = admin.listen().toCompletionStage().toCompletableFuture().get();
    base = "http://127.0.0.1:" + port;
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  private String[] admin() {
    return new String[] {"Authorization", "Bearer " + ADMIN};
  }

  @Test
  void shouldRefuseRequestsWithoutAKey() {
    HttpResponse<String> r = http.get(base + "/admin/models");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(new JsonObject(r.body()).getString("error")).contains("API key");
    assertThat(http.get(base + "/admin/models", "Authorization", "Bearer nope").statusCode())
        .isEqualTo(401);
  }

  @Test
  void shouldRefuseKeysWithoutAdminScope() {
    HttpResponse<String> r = http.get(base + "/admin/models", "X-API-Key", APP);
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("'app' has no admin scope");
    assertThat(http.get(base + "/admin/hello", "X-API-Key", APP).statusCode()).isEqualTo(403);
  }

  @Test
  void shouldListLoadAndUnloadModels() {
    JsonArray list = new JsonArray(http.get(base + "/admin/models", admin()).body());
    assertThat(list).hasSize(2);
    assertThat(list.getJsonObject(1).getString("name")).isEqualTo("mlp");
    assertThat(list.getJsonObject(1).getString("state")).isEqualTo("UNAVAILABLE");

    HttpResponse<String> load = http.post(base + "/admin/models/mlp/load", null, admin());
    assertThat(load.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(load.body()).getString("state")).isEqualTo("READY");
    assertThat(routes.find("mlp")).isNotNull();

    assertThat(http.post(base + "/admin/models/mlp/unload", null, admin()).statusCode())
        .isEqualTo(200);
    assertThat(routes.find("mlp")).isNull();
    assertThat(http.post(base + "/admin/models/nope/load", null, admin()).statusCode())
        .isEqualTo(404);
  }

  @Test
  void shouldSetTrafficAndRejectBadWeights() {
    HttpResponse<String> ok =
        http.send("PUT", base + "/admin/models/mlp/traffic", "{\"1\":90,\"2\":10}", admin());
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(ok.body()).getInteger("1")).isEqualTo(90);
    assertThat(routes.find("mlp").traffic()).containsEntry("2", 10);

    HttpResponse<String> neg =
        http.send("PUT", base + "/admin/models/mlp/traffic", "{\"1\":-1}", admin());
    assertThat(neg.statusCode()).isEqualTo(400);
    assertThat(neg.body()).contains("negative");
    HttpResponse<String> junk = http.send("PUT", base + "/admin/models/mlp/traffic", "[1", admin());
    assertThat(junk.statusCode()).isEqualTo(400);
    HttpResponse<String> noVersion =
        http.send("PUT", base + "/admin/models/mlp/traffic", "{\"7\":1}", admin());
    assertThat(noVersion.statusCode()).isEqualTo(400);
    assertThat(noVersion.body()).contains("no version '7'");
  }

  @Test
  void shouldReadAndValidateScalingKnobs() {
    HttpResponse<String> get = http.get(base + "/admin/models/cnn/scaling", admin());
    assertThat(new JsonObject(get.body()).getInteger("maxReplicas")).isEqualTo(4);
    HttpResponse<String> bad =
        http.send("PUT", base + "/admin/models/cnn/scaling", "{\"minReplicas\":9}", admin());
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("minReplicas = 9");
    HttpResponse<String> ok =
        http.send("PUT", base + "/admin/models/cnn/scaling", "{\"maxReplicas\":8}", admin());
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(ok.body()).getInteger("maxReplicas")).isEqualTo(8);
  }

  @Test
  void shouldServeTheOipRepositoryExtension() {
    assertThat(http.post(base + "/v2/repository/models/cnn/load", "", admin()).statusCode())
        .isEqualTo(200);
    JsonArray index = new JsonArray(http.post(base + "/v2/repository/index", "{}", admin()).body());
    assertThat(index).hasSize(3);
    assertThat(index.getJsonObject(0).getString("name")).isEqualTo("cnn");
    assertThat(index.getJsonObject(0).getString("state")).isEqualTo("READY");
    JsonArray ready =
        new JsonArray(http.post(base + "/v2/repository/index", "{\"ready\":true}", admin()).body());
    assertThat(ready).hasSize(1);
    assertThat(http.post(base + "/v2/repository/models/cnn/unload", "", admin()).statusCode())
        .isEqualTo(200);
    assertThat(http.post(base + "/v2/repository/models/x/unload", "", admin()).statusCode())
        .isEqualTo(404);
  }

  @Test
  void shouldRejectPathTricksInModelNames() {
    HttpResponse<String> r = http.post(base + "/admin/models/..%2Fetc/load", null, admin());
    assertThat(r.statusCode()).isBetween(400, 404);
  }

  @Test
  void shouldServeInstalledExtensionsBehindTheAdminKey() {
    assertThat(http.get(base + "/admin/hello").statusCode()).isEqualTo(401);
    HttpResponse<String> r = http.get(base + "/admin/hello", admin());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("hi");
  }

  @Test
  void shouldServePublicPagesWithoutAKeyButNothingElse() {
    HttpResponse<String> page = http.get(base + "/console/index.html");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).isEqualTo("page");
    assertThat(http.get(base + "/console/../admin/models").statusCode()).isEqualTo(401);
    assertThat(http.get(base + "/consolex").statusCode()).isEqualTo(401);
    assertThat(http.get(base + "/console%2F..%2Fadmin/models").statusCode()).isEqualTo(401);
  }

  @Test
  void shouldRefusePublicPrefixesThatHoldApiRoutes() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> admin.installPublic("/admin/console", router -> {}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldKeepAnsweringWhileTheRepositoryIsSlowToList() throws Exception {
    java.util.concurrent.CountDownLatch disk = new java.util.concurrent.CountDownLatch(1);
    platform.slowListing(disk);
    java.util.concurrent.CompletableFuture<HttpResponse<String>> listing =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> http.get(base + "/admin/models", admin()));
    try {
      // the listing waits on the disk; the admin port's event loop does not wait with it
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                assertThat(listing).isNotDone();
                assertThat(http.get(base + "/admin/hello", admin()).body()).isEqualTo("hi");
              });
    } finally {
      disk.countDown();
    }
    assertThat(listing.get().statusCode()).isEqualTo(200);
    assertThat(new JsonArray(listing.get().body())).hasSize(2);
  }
}
