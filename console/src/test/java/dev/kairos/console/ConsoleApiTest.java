package dev.kairos.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.gateway.admin.AdminOptions;
import dev.kairos.gateway.admin.AdminServer;
import dev.kairos.gateway.admin.ModelStatus;
import dev.kairos.gateway.admin.PlatformControl;
import dev.kairos.gateway.auth.ApiKeyStore;
import dev.kairos.gateway.auth.ApiKeys;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.multiplexer.arbiter.SliceStats;
import dev.kairos.sdk.model.ScalingConfig;
import dev.kairos.sdk.model.ScalingKnobs;
import dev.kairos.sdk.time.ManualClock;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConsoleApiTest {
  private static final String KEY = "console-test-admin-key";

  private final HttpClient http = HttpClient.newHttpClient();
  private final ManualClock clock = new ManualClock(1_700_000_000_000L, 0);
  private final MetricsRing ring = MetricsRing.defaults();
  private final RouteTable routes = new RouteTable();
  private Vertx vertx;
  private String base;

  /** One model, mlp, whose knobs live in this map. */
  private static final class OneModel implements PlatformControl {
    ScalingConfig spec = ScalingConfig.DEFAULT;

    @Override
    public List<ModelStatus> models() {
      return List.of(model("mlp"));
    }

    @Override
    public ModelStatus model(String name) {
      return new ModelStatus(
          name, ModelStatus.State.READY, null, List.of("1"), Map.of(), Map.of("1", 1));
    }

    @Override
    public CompletionStage<ModelStatus> load(String name) {
      return CompletableFuture.completedFuture(model(name));
    }

    @Override
    public CompletionStage<Void> unload(String name) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public Map<String, Integer> setTraffic(String model, Map<String, Integer> weights) {
      return weights;
    }

    @Override
    public Map<String, Object> scaling(String model) {
      return spec.knobs();
    }

    @Override
    public Map<String, Object> setScaling(String model, Map<String, Object> changes) {
      spec = ScalingKnobs.apply(spec, changes);
      return spec.knobs();
    }
  }

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    ApiKeys keys =
        new ApiKeys(List.of(ApiKeys.parseLine("ops " + ApiKeys.sha256Hex(KEY) + " admin")));
    AdminServer admin =
        new AdminServer(
            vertx,
            AdminOptions.defaults().withPort(0),
            new OneModel(),
            new RouteTable(),
            ApiKeyStore.fixed(keys));
    DeviceView devices =
        () ->
            List.of(
                new DeviceStatus(
                    "shared0",
                    "cpu",
                    "deadline",
                    1L << 30,
                    1L << 28,
                    List.of("mlp"),
                    List.of(new SliceStats("mlp", 10, 1, 1_000_000, 3_000_000))));
    admin.installPublic("/console", new ConsolePages());
    admin.install(
        new ConsoleApi(
            vertx,
            clock,
            ring,
            new OneModel(),
            devices,
            new Replays(1),
            null,
            new ReplicaGenerationView(routes)));
    int port = admin.listen().toCompletionStage().toCompletableFuture().get();
    base = "http://127.0.0.1:" + port;
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  private HttpResponse<String> send(String method, String path, String body, boolean withKey)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (withKey) {
      b.header("Authorization", "Bearer " + KEY);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldServeThePagesWithoutAKeyAndTheDataOnlyWithOne() throws Exception {
    HttpResponse<String> index = send("GET", "/console/", null, false);
    assertThat(index.statusCode()).isEqualTo(200);
    assertThat(index.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
    assertThat(index.body()).contains("<script src=\"app.js\">");
    assertThat(send("GET", "/console/app.js", null, false).statusCode()).isEqualTo(200);
    assertThat(send("GET", "/console", null, false).headers().firstValue("Location"))
        .hasValue("/console/");
    assertThat(send("GET", "/console/nope.js", null, false).statusCode()).isEqualTo(404);
    assertThat(send("GET", "/admin/console/overview", null, false).statusCode()).isEqualTo(401);
    assertThat(send("GET", "/admin/console/overview", null, true).statusCode()).isEqualTo(200);
  }

  @Test
  void shouldServeAModelsSeriesWithItsDecisions() throws Exception {
    ring.record(
        "mlp", new ModelSample(clock.wallMillis() - 5_000, 12.5, 3, 9, 0, 2, 2.5, 2, 1, 5.6));
    ring.record(
        new DecisionEvent(clock.wallMillis() - 4_000, "mlp", "1", 1, 2, true, "none", "panic"));
    JsonObject s = new JsonObject(send("GET", "/admin/console/series/mlp", null, true).body());
    assertThat(s.getJsonArray("t")).hasSize(1);
    assertThat(s.getJsonObject("series").getJsonArray("rate").getDouble(0)).isEqualTo(12.5);
    assertThat(s.getJsonObject("series").getJsonArray("desired").getInteger(0)).isEqualTo(2);
    assertThat(s.getJsonArray("decisions").getJsonObject(0).getString("kind"))
        .isEqualTo("scale up");
    assertThat(send("GET", "/admin/console/series/mlp?minutes=999", null, true).statusCode())
        .isEqualTo(400);
  }

  @Test
  void shouldListDevicesWithTheirArbiterStatistics() throws Exception {
    JsonArray d = new JsonArray(send("GET", "/admin/console/devices", null, true).body());
    JsonObject slice = d.getJsonObject(0).getJsonArray("slices").getJsonObject(0);
    assertThat(slice.getLong("granted")).isEqualTo(10);
    assertThat(slice.getDouble("waitP99Ms")).isEqualTo(3.0);
  }

  @Test
  void shouldRefuseABadKnobInThePreviewWithTheValidatorsMessage() throws Exception {
    HttpResponse<String> r =
        send("POST", "/admin/console/preview/mlp", "{\"scaling\":{\"maxReplicas\":-1}}", true);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(r.body()).getString("error")).contains("maxReplicas", "-1");
  }

  @Test
  void shouldPreviewTheLastHourUnderTheKnobsInForceAndTheProposedOnes() throws Exception {
    long now = clock.wallMillis() / 1000;
    for (int s = 600; s > 480; s--) {
      ring.recordArrivals("mlp", now - s, 40); // two minutes of 40 req/s, ten minutes ago
    }
    // requests took 500 ms: 20 in flight at that rate, more than one replica at target 5.6
    ring.record("mlp", new ModelSample(clock.wallMillis(), 40, 500, 900, 0, 20, 20, 4, 4, 5.6));
    HttpResponse<String> r =
        send("POST", "/admin/console/preview/mlp", "{\"scaling\":{\"maxReplicas\":1}}", true);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonObject p = new JsonObject(r.body());
    assertThat(p.getLong("recordedRequests")).isEqualTo(4800);
    assertThat(p.getDouble("serviceMs")).isEqualTo(500.0);
    JsonArray runs = p.getJsonArray("runs");
    assertThat(runs.getJsonObject(0).getString("label")).isEqualTo("current");
    assertThat(runs.getJsonObject(0).getLong("requests")).isEqualTo(4800);
    assertThat(runs.getJsonObject(1).getJsonObject("knobs").getInteger("maxReplicas")).isEqualTo(1);
    assertThat(runs.getJsonObject(1).getDouble("peakReplicas")).isLessThanOrEqualTo(1.0);
    assertThat(runs.getJsonObject(0).getDouble("peakReplicas")).isGreaterThan(1.0);
  }

  @Test
  void shouldSearchTheKnobsOnTheLastHourAndRecommendASettingTheValidatorAccepts() throws Exception {
    long now = clock.wallMillis() / 1000;
    for (int s = 1200; s > 300; s--) {
      ring.recordArrivals("mlp", now - s, (s / 60) % 3 == 0 ? 30 : 5); // bursts every 3 minutes
    }
    ring.record("mlp", new ModelSample(clock.wallMillis(), 40, 200, 900, 0, 20, 20, 4, 4, 5.6));
    HttpResponse<String> r =
        send("POST", "/admin/console/search/mlp", "{\"attainment\":0.95,\"budget\":8}", true);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonObject p = new JsonObject(r.body());
    assertThat(p.getDouble("target")).isEqualTo(0.95);
    assertThat(p.getDouble("replays")).isLessThanOrEqualTo(8.0);
    assertThat(p.getJsonArray("frontier")).isNotEmpty();
    assertThat(p.getJsonObject("current").getLong("requests"))
        .isEqualTo(p.getLong("recordedRequests"));
    JsonObject knobs = p.getJsonObject("recommended").getJsonObject("knobs");
    // what the page's Apply sends: the validator behind model.yaml accepts it
    ScalingKnobs.apply(ScalingConfig.DEFAULT, knobs.getMap());

    HttpResponse<String> bad =
        send("POST", "/admin/console/search/mlp", "{\"attainment\":99}", true);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(bad.body()).getString("error")).contains("attainment = 99.0");
  }

  @Test
  void shouldReplayTheBundledSampleTraceUnderTwoSettings() throws Exception {
    HttpResponse<String> r =
        send(
            "POST",
            "/admin/console/simulate",
            "{\"trace\":\"sample\",\"serviceTime\":\"500ms\",\"compare\":{\"maxReplicas\":1}}",
            true);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonObject s = new JsonObject(r.body());
    assertThat(s.getInteger("models")).isEqualTo(2);
    assertThat(s.getString("trace")).isEqualTo("sample trace (bundled)");
    assertThat(s.getJsonArray("runs")).hasSize(2);
    long a = s.getJsonArray("runs").getJsonObject(0).getLong("requests");
    assertThat(a).isEqualTo(6876);
    // the bursts need several replicas at 500 ms a request: capped at one, fewer meet the SLO
    JsonObject ra = s.getJsonArray("runs").getJsonObject(0);
    JsonObject rb = s.getJsonArray("runs").getJsonObject(1);
    assertThat(ra.getDouble("peakReplicas")).isGreaterThan(2.0);
    assertThat(rb.getDouble("replicaSeconds")).isLessThan(ra.getDouble("replicaSeconds"));
    assertThat(rb.getDouble("sloAttainment")).isLessThan(ra.getDouble("sloAttainment"));
  }

  @Test
  void shouldReplayWhatTheSimulatePageSendsByDefault() throws Exception {
    HttpResponse<String> r =
        send(
            "POST",
            "/admin/console/simulate",
            "{\"trace\":\"sample\",\"knobs\":{},\"compare\":{\"maxReplicas\":2,"
                + "\"scaleToZeroAfter\":\"5m\"},\"serviceTime\":\"500ms\","
                + "\"replicaConcurrency\":8,\"coldStart\":\"1s\"}",
            true);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  @Test
  void shouldRefuseAnUploadThatIsNotATrace() throws Exception {
    HttpResponse<String> r =
        send(
            "POST",
            "/admin/console/simulate",
            "{\"trace\":\"upload\",\"csv\":\"time,model\\nyesterday,mlp\\n\"}",
            true);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(r.body()).getString("error")).contains("yesterday");
    assertThat(send("POST", "/admin/console/simulate", "{\"trace\":\"nope\"}", true).statusCode())
        .isEqualTo(400);
  }

  /** One text-generation replica's /metrics, as the runtime's GenerateMetrics writes them. */
  private static String replicaMetrics(int running, int ttftFast, int ttftSlow, int hits) {
    String m = "{model=\"gen\"";
    return "# TYPE kairos_generate_running_sequences gauge\n"
        + "kairos_generate_running_sequences"
        + m
        + "} "
        + running
        + ".0\n"
        + "kairos_generate_waiting_sequences"
        + m
        + "} 1.0\n"
        + "kairos_generate_kv_blocks_used"
        + m
        + "} 10.0\n"
        + "kairos_generate_kv_blocks_free"
        + m
        + "} 30.0\n"
        + "kairos_generate_preemptions_total"
        + m
        + "} 2.0\n"
        + "kairos_generate_prefix_cache_queries_total"
        + m
        + "} 10.0\n"
        + "kairos_generate_prefix_cache_hits_total"
        + m
        + "} "
        + hits
        + ".0\n"
        + "kairos_generate_time_to_first_token_seconds_bucket"
        + m
        + ",le=\"0.05\"} "
        + ttftFast
        + "\n"
        + "kairos_generate_time_to_first_token_seconds_bucket"
        + m
        + ",le=\"0.5\"} "
        + (ttftFast + ttftSlow)
        + "\n"
        + "kairos_generate_time_to_first_token_seconds_bucket"
        + m
        + ",le=\"+Inf\"} "
        + (ttftFast + ttftSlow)
        + "\n"
        + "kairos_generate_time_to_first_token_seconds_count"
        + m
        + "} "
        + (ttftFast + ttftSlow)
        + "\n"
        + "kairos_generate_time_to_first_token_seconds_sum"
        + m
        + "} "
        + (0.01 * ttftFast + 0.3 * ttftSlow)
        + "\n"
        + "kairos_requests_total{model=\"gen\"} 99.0\n";
  }

  @Test
  void shouldSumAGenerativeModelsEngineOverItsReplicas() throws Exception {
    routes.model("gen").setGenerative(true);
    for (String text : List.of(replicaMetrics(3, 98, 0, 5), replicaMetrics(2, 0, 2, 3))) {
      int port =
          vertx
              .createHttpServer()
              .requestHandler(
                  req ->
                      req.response()
                          .setStatusCode("/metrics".equals(req.path()) ? 200 : 404)
                          .end(text))
              .listen(0, "127.0.0.1")
              .toCompletionStage()
              .toCompletableFuture()
              .get()
              .actualPort();
      routes
          .model("gen")
          .version("1")
          .add(new dev.kairos.gateway.route.Replica("r" + port, "127.0.0.1", port));
    }
    HttpResponse<String> r = send("GET", "/admin/console/generation/gen", null, true);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonObject g = new JsonObject(r.body());
    assertThat(g.getBoolean("generative")).isTrue();
    assertThat(g.getInteger("replicas")).isEqualTo(2);
    assertThat(g.getDouble("running")).isEqualTo(5.0);
    assertThat(g.getDouble("waiting")).isEqualTo(2.0);
    assertThat(g.getDouble("kvBlocksUsed")).isEqualTo(20.0);
    assertThat(g.getDouble("kvBlocksFree")).isEqualTo(60.0);
    assertThat(g.getDouble("preemptions")).isEqualTo(4.0);
    assertThat(g.getDouble("prefixHitRate")).isEqualTo(0.4);
    // 98 fast and 2 slow first tokens over the two replicas: p50 in the first bucket, p99 not.
    JsonObject ttft = g.getJsonObject("ttft");
    assertThat(ttft.getLong("count")).isEqualTo(100);
    assertThat(ttft.getDouble("p50Ms")).isEqualTo(50.0);
    assertThat(ttft.getDouble("p99Ms")).isEqualTo(500.0);
    assertThat(ttft.getDouble("meanMs")).isCloseTo(15.8, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(g.getJsonObject("e2e").getLong("count")).isZero();
    assertThat(g.getJsonObject("e2e").getValue("p99Ms")).isNull();

    assertThat(
            new JsonObject(send("GET", "/admin/console/generation/mlp", null, true).body())
                .getBoolean("generative"))
        .isFalse();
    assertThat(send("GET", "/admin/console/generation/gen", null, false).statusCode())
        .isEqualTo(401);
  }
}
