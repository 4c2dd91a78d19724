package dev.kairos.console;

import dev.kairos.autoscaler.simulator.LatencyModel;
import dev.kairos.autoscaler.simulator.Trace;
import dev.kairos.autoscaler.simulator.TraceModel;
import dev.kairos.gateway.admin.AdminException;
import dev.kairos.gateway.admin.AdminExtension;
import dev.kairos.gateway.admin.PlatformControl;
import dev.kairos.multiplexer.arbiter.SliceStats;
import dev.kairos.sdk.model.Durations;
import dev.kairos.sdk.model.ScalingConfig;
import dev.kairos.sdk.model.ScalingKnobs;
import dev.kairos.sdk.oip.OipPath;
import dev.kairos.sdk.time.Clock;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The console's data, as admin API endpoints (behind the admin key like every other):
 *
 * <pre>
 * GET  /admin/console/overview            newest sample of every model, recent decisions
 * GET  /admin/console/series/{m}?minutes= a model's samples and decisions (default 15 minutes)
 * GET  /admin/console/devices             devices, their models, memory, arbiter statistics
 * POST /admin/console/preview/{m}         {"scaling": {...}}: validate knobs, replay the last hour
 * GET  /admin/console/traces              the traces the Simulate page can replay
 * POST /admin/console/simulate            {"trace": id, "csv": text, "knobs": {}, "compare": {}}
 * </pre>
 */
public final class ConsoleApi implements AdminExtension {
  /** The sample trace on the classpath that the Simulate page offers. */
  static final String SAMPLE_TRACE = "dev/kairos/console/traces/sample.csv";

  private static final long MAX_UPLOAD = 8L << 20;

  private final Vertx vertx;
  private final Clock clock;
  private final MetricsRing ring;
  private final PlatformControl platform;
  private final DeviceView devices;
  private final Replays replays;
  private final Path azureTrace;

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
    this.vertx = vertx;
    this.clock = clock;
    this.ring = ring;
    this.platform = platform;
    this.devices = devices;
    this.replays = replays;
    this.azureTrace = azureTrace;
  }

  @Override
  public void install(Router router) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(MAX_UPLOAD);
    router.get("/admin/console/overview").handler(ctx -> json(ctx, overview()));
    router.get("/admin/console/series/:model").handler(this::series);
    // off the event loop: memory figures may come from files (/proc)
    router.get("/admin/console/devices").handler(ctx -> blocking(ctx, this::devices));
    router.post("/admin/console/preview/:model").handler(body).handler(this::preview);
    router.get("/admin/console/traces").handler(ctx -> json(ctx, traces()));
    router.post("/admin/console/simulate").handler(body).handler(this::simulate);
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
              .put("slices", slices));
    }
    return out;
  }

  /** Validates the knobs as the admin API would, then replays the last hour under both. */
  private void preview(RoutingContext ctx) {
    String model = model(ctx);
    JsonObject body = bodyObject(ctx);
    JsonObject changes = body.getJsonObject("scaling", new JsonObject());
    ScalingConfig current = ScalingKnobs.apply(ScalingConfig.DEFAULT, platform.scaling(model));
    ScalingConfig proposed = ScalingKnobs.apply(current, changes.getMap());
    int seconds = 3600;
    int[] arrivals = ring.arrivals(model, Math.floorDiv(clock.wallMillis(), 1000L), seconds);
    double service = medianLatencySeconds(model);
    Map<String, ScalingConfig> settings = new LinkedHashMap<>();
    settings.put("current", current);
    settings.put("proposed", proposed);
    blocking(
        ctx,
        () ->
            replays
                .preview(
                    model,
                    arrivals,
                    settings,
                    service,
                    (int) Math.max(1, Math.ceil(current.targetConcurrency())),
                    1.0)
                .put("serviceMs", service * 1000)
                .put("recordedRequests", Arrays.stream(arrivals).asLongStream().sum()));
  }

  /** The model's median latency over its recent samples, 10 ms when it has served nothing. */
  private double medianLatencySeconds(String model) {
    double[] p50 =
        ring.series(model, 0).stream()
            .mapToDouble(ModelSample::p50Ms)
            .filter(v -> !Double.isNaN(v) && v > 0)
            .sorted()
            .toArray();
    return p50.length == 0 ? 0.010 : p50[p50.length / 2] / 1000;
  }

  private JsonArray traces() {
    JsonArray out = new JsonArray();
    out.add(
        new JsonObject()
            .put("id", "sample")
            .put("name", "Sample: two models, 20 minutes with bursts (bundled)"));
    out.add(
        new JsonObject()
            .put("id", "recorded")
            .put("name", "Recorded: the last hour of this platform's requests"));
    if (azureTrace != null && Files.isDirectory(azureTrace)) {
      out.add(
          new JsonObject()
              .put("id", "azure")
              .put("name", "Azure Functions 2019: first 20 functions, first 2 hours"));
    }
    out.add(new JsonObject().put("id", "upload").put("name", "Upload a CSV of timestamp,model"));
    return out;
  }

  private void simulate(RoutingContext ctx) {
    JsonObject body = bodyObject(ctx);
    String id = body.getString("trace", "sample");
    int replicaConcurrency = body.getInteger("replicaConcurrency", 8);
    LatencyModel latency =
        new LatencyModel(
            seconds(body.getString("serviceTime", "50ms"), "serviceTime"),
            replicaConcurrency,
            seconds(body.getString("coldStart", "1s"), "coldStart"));
    ScalingConfig base =
        ScalingKnobs.apply(
            ScalingConfig.DEFAULT,
            Map.of("maxReplicas", 1000, "targetConcurrency", replicaConcurrency));
    Map<String, ScalingConfig> settings = new LinkedHashMap<>();
    settings.put("A", ScalingKnobs.apply(base, knobs(body, "knobs")));
    JsonObject compare = body.getJsonObject("compare");
    if (compare != null && !compare.isEmpty()) {
      settings.put("B", ScalingKnobs.apply(base, knobs(body, "compare")));
    }
    String csv = body.getString("csv");
    if (id.equals("upload") && (csv == null || csv.isBlank())) {
      throw AdminException.badRequest("trace 'upload' needs the CSV text in \"csv\"");
    }
    long nowSecond = Math.floorDiv(clock.wallMillis(), 1000L);
    List<TraceModel> recorded = new ArrayList<>();
    if (id.equals("recorded")) {
      for (String m : ring.latest().keySet()) {
        int[] a = ring.arrivals(m, nowSecond, 3600);
        if (Arrays.stream(a).anyMatch(n -> n > 0)) {
          recorded.add(new RecordedArrivals(m, a));
        }
      }
    }
    blocking(
        ctx,
        () -> {
          Trace trace = trace(id, csv, recorded);
          return replays.run(trace, settings, latency, Replays.bucketFor(trace.durationSeconds()));
        });
  }

  private Trace trace(String id, String csv, List<TraceModel> recorded) throws IOException {
    switch (id) {
      case "recorded":
        return new Trace(recorded, 3600, "recorded: last hour");
      case "azure":
        if (azureTrace == null || !Files.isDirectory(azureTrace)) {
          throw AdminException.notFound("no Azure Functions trace at " + azureTrace);
        }
        return Trace.azureFunctions(azureTrace, 20, 120);
      case "sample":
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(SAMPLE_TRACE)) {
          if (in == null) {
            throw new IOException("sample trace missing from the classpath");
          }
          return csvTrace(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
      case "upload":
        return csvTrace(csv);
      default:
        throw AdminException.badRequest(
            "trace '" + id + "' is unknown: sample, recorded, azure or upload");
    }
  }

  private static Trace csvTrace(String text) throws IOException {
    Path tmp = Files.createTempFile("kairos-trace", ".csv");
    try {
      Files.writeString(tmp, text);
      Trace t = Trace.csv(tmp);
      if (t.models().isEmpty()) {
        throw AdminException.badRequest("the trace has no timestamp,model rows");
      }
      return new Trace(t.models(), t.durationSeconds(), "uploaded CSV");
    } catch (IOException e) {
      String msg = String.valueOf(e.getMessage()).replace(tmp.toString(), "trace");
      throw AdminException.badRequest(msg);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static Map<String, Object> knobs(JsonObject body, String field) {
    Object o = body.getValue(field);
    if (o == null) {
      return Map.of();
    }
    if (!(o instanceof JsonObject j)) {
      throw AdminException.badRequest("\"" + field + "\" must be an object of knobs");
    }
    return j.getMap();
  }

  private static double seconds(String text, String field) {
    try {
      return Durations.parse(text).toNanos() / 1e9;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + " " + e.getMessage());
    }
  }

  private <T> void blocking(RoutingContext ctx, Callable<T> work) {
    vertx
        .executeBlocking(work, false)
        .onSuccess(v -> json(ctx, v))
        .onFailure(
            e ->
                ctx.fail(e instanceof IOException ? AdminException.badRequest(e.getMessage()) : e));
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

  private static String model(RoutingContext ctx) {
    String m = ctx.pathParam("model");
    if (!OipPath.isValidName(m)) {
      throw AdminException.badRequest("invalid model name '" + m + "'");
    }
    return m;
  }

  private static int intParam(RoutingContext ctx, String name, int dflt, int min, int max) {
    String v = ctx.queryParams().get(name);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw AdminException.badRequest(name + " = " + n + ", must be " + min + ".." + max);
      }
      return n;
    } catch (NumberFormatException e) {
      throw AdminException.badRequest(name + " = '" + v + "', must be an integer");
    }
  }

  private static JsonObject bodyObject(RoutingContext ctx) {
    try {
      JsonObject o = ctx.body().isEmpty() ? new JsonObject() : ctx.body().asJsonObject();
      return o == null ? new JsonObject() : o;
    } catch (DecodeException | ClassCastException e) {
      throw AdminException.badRequest("request body is not a JSON object: " + e.getMessage());
    }
  }

  private static void json(RoutingContext ctx, Object body) {
    if (ctx.response().ended()) {
      return;
    }
    String text = body instanceof JsonArray a ? a.encode() : ((JsonObject) body).encode();
    ctx.response().putHeader("Content-Type", "application/json").end(text);
  }
}
