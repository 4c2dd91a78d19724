package dev.kairos.console;

import static dev.kairos.console.AdminRequests.blocking;
import static dev.kairos.console.AdminRequests.intParam;
import static dev.kairos.console.AdminRequests.json;
import static dev.kairos.console.AdminRequests.model;

import dev.kairos.gateway.admin.AdminExtension;
import dev.kairos.gateway.admin.PlatformControl;
import dev.kairos.multiplexer.arbiter.SliceStats;
import dev.kairos.sdk.time.Clock;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The console's data, as admin API endpoints (behind the admin key like every other):
 *
 * <pre>
 * GET  /admin/console/overview            newest sample of every model, recent decisions
 * GET  /admin/console/series/{m}?minutes= a model's samples and decisions (default 15 minutes)
 * GET  /admin/console/devices             devices, their models, memory, arbiter statistics
 * GET  /admin/console/generation/{m}      a text-generation model's engine, summed over replicas
 * </pre>
 *
 * and the what-if endpoints of {@link ReplayApi} (tune preview, traces, simulate).
 */
public final class ConsoleApi implements AdminExtension {
  private final Vertx vertx;
  private final Clock clock;
  private final MetricsRing ring;
  private final DeviceView devices;
  private final ReplayApi replayApi;
  private final GenerationView generation;

  /**
   * @param azureTrace the Azure Functions 2019 trace directory, offered when it exists (may be
   *     null)
   */
  public ConsoleApi(
      Vertx vertx,
      Clock clock,
      MetricsRing ring,
      PlatformControl platform,
      DeviceView devices,
      Replays replays,
      Path azureTrace) {
    this(vertx, clock, ring, platform, devices, replays, azureTrace, GenerationView.none());
  }

  /**
   * @param azureTrace the Azure Functions 2019 trace directory, offered when it exists (may be
   *     null)
   * @param generation text-generation models' engines (read from their replicas)
   */
  public ConsoleApi(
      Vertx vertx,
      Clock clock,
      MetricsRing ring,
      PlatformControl platform,
      DeviceView devices,
      Replays replays,
      Path azureTrace,
      GenerationView generation) {
    this.generation = generation;
    this.vertx = vertx;
    this.clock = clock;
    this.ring = ring;
    this.devices = devices;
    this.replayApi = new ReplayApi(vertx, clock, ring, platform, replays, azureTrace);
  }

  @Override
  public void install(Router router) {
    router.get("/admin/console/overview").handler(ctx -> json(ctx, overview()));
    router.get("/admin/console/series/:model").handler(this::series);
    // off the event loop: memory figures may come from files (/proc)
    router.get("/admin/console/devices").handler(ctx -> blocking(vertx, ctx, this::devices));
    // off the event loop: read from the replicas over HTTP
    router
        .get("/admin/console/generation/:model")
        .handler(
            ctx -> {
              String model = model(ctx);
              blocking(vertx, ctx, () -> generation(model));
            });
    replayApi.install(router);
  }

  private JsonObject overview() {
    JsonObject models = new JsonObject();
    ring.latest().forEach((m, s) -> models.put(m, sample(s)));
    List<DecisionEvent> recent = ring.decisions(null, clock.wallMillis() - 15 * 60_000L);
    JsonArray decisions = new JsonArray();
    recent
        .subList(Math.max(0, recent.size() - 20), recent.size())
        .forEach(d -> decisions.add(d(d)));
    return new JsonObject()
        .put("now", clock.wallMillis())
        .put("models", models)
        .put("decisions", decisions);
  }

  private void series(RoutingContext ctx) {
    String model = model(ctx);
    int minutes = intParam(ctx, "minutes", 15, 1, 60);
    long since = clock.wallMillis() - minutes * 60_000L;
    JsonArray t = new JsonArray();
    JsonObject columns = new JsonObject();
    String[] names = {
      "rate", "p50Ms", "p99Ms", "errorRate", "inFlight", "concurrency", "desired", "ready", "target"
    };
    JsonArray[] cols = new JsonArray[names.length];
    for (int i = 0; i < names.length; i++) {
      cols[i] = new JsonArray();
      columns.put(names[i], cols[i]);
    }
    for (ModelSample s : ring.series(model, since)) {
      t.add(s.atMillis());
      double[] v = {
        s.requestRate(),
        s.p50Ms(),
        s.p99Ms(),
        s.errorRate(),
        s.inFlight(),
        s.concurrency(),
        s.desiredReplicas(),
        s.readyReplicas(),
        s.targetConcurrency()
      };
      for (int i = 0; i < v.length; i++) {
        cols[i].add(finite(v[i]));
      }
    }
    JsonArray decisions = new JsonArray();
    ring.decisions(model, since).forEach(d -> decisions.add(d(d)));
    json(
        ctx,
        new JsonObject()
            .put("model", model)
            .put("now", clock.wallMillis())
            .put("t", t)
            .put("series", columns)
            .put("decisions", decisions));
  }

  private JsonArray devices() {
    JsonArray out = new JsonArray();
    for (DeviceStatus d : devices.devices()) {
      JsonArray slices = new JsonArray();
      for (SliceStats s : d.slices()) {
        slices.add(
            new JsonObject()
                .put("model", s.model())
                .put("granted", s.granted())
                .put("rejected", s.rejected())
                .put("waitP50Ms", s.waitP50Nanos() / 1e6)
                .put("waitP99Ms", s.waitP99Nanos() / 1e6));
      }
      out.add(
          new JsonObject()
              .put("id", d.id())
              .put("kind", d.kind())
              .put("policy", d.policy())
              .put("memoryCapacityBytes", d.memoryCapacityBytes())
              .put("memoryUsedBytes", d.memoryUsedBytes())
              .put("models", new JsonArray(d.models()))
              .put("slices", slices)
              .put("pinning", d.pinning())
              .put("placed", placed(d.placed())));
    }
    return out;
  }

  private static JsonArray placed(List<PlacedModel> placed) {
    JsonArray out = new JsonArray();
    for (PlacedModel p : placed) {
      out.add(
          new JsonObject()
              .put("model", p.model())
              .put("replicas", p.replicas())
              .put("reason", p.reason()));
    }
    return out;
  }

  private JsonObject generation(String model) {
    JsonObject out = new JsonObject().put("model", model);
    Optional<GenerationStatus> status = generation.generation(model);
    if (status.isEmpty()) {
      return out.put("generative", false);
    }
    GenerationStatus g = status.get();
    return out.put("generative", true)
        .put("replicas", g.replicas())
        .put("running", g.running())
        .put("waiting", g.waiting())
        .put("kvBlocksUsed", g.kvBlocksUsed())
        .put("kvBlocksFree", g.kvBlocksFree())
        .put("promptTokens", g.promptTokens())
        .put("outputTokens", g.outputTokens())
        .put("preemptions", g.preemptions())
        .put("prefixHitRate", finite(g.prefixHitRate()))
        .put("ttft", latency(g.ttft()))
        .put("tpot", latency(g.tpot()))
        .put("e2e", latency(g.e2e()));
  }

  private static JsonObject latency(GenerationStatus.Latency l) {
    return new JsonObject()
        .put("count", l.count())
        .put("meanMs", finite(l.meanSeconds() * 1000))
        .put("p50Ms", finite(l.p50Seconds() * 1000))
        .put("p99Ms", finite(l.p99Seconds() * 1000));
  }

  private static JsonObject sample(ModelSample s) {
    return new JsonObject()
        .put("t", s.atMillis())
        .put("rate", finite(s.requestRate()))
        .put("p50Ms", finite(s.p50Ms()))
        .put("p99Ms", finite(s.p99Ms()))
        .put("errorRate", finite(s.errorRate()))
        .put("inFlight", s.inFlight())
        .put("concurrency", finite(s.concurrency()))
        .put("desired", s.desiredReplicas())
        .put("ready", s.readyReplicas())
        .put("target", finite(s.targetConcurrency()));
  }

  private static JsonObject d(DecisionEvent d) {
    return new JsonObject()
        .put("t", d.atMillis())
        .put("model", d.model())
        .put("version", d.version())
        .put("from", d.from())
        .put("to", d.to())
        .put("panic", d.panic())
        .put("limit", d.limit())
        .put("kind", d.kind())
        .put("why", d.why());
  }

  private static Double finite(double v) {
    return Double.isFinite(v) ? Math.round(v * 1000) / 1000.0 : null;
  }
}
