package dev.kairos.console;

import static dev.kairos.console.AdminRequests.blocking;
import static dev.kairos.console.AdminRequests.bodyObject;
import static dev.kairos.console.AdminRequests.json;
import static dev.kairos.console.AdminRequests.model;

import dev.kairos.autoscaler.simulator.LatencyModel;
import dev.kairos.autoscaler.simulator.Trace;
import dev.kairos.autoscaler.simulator.TraceModel;
import dev.kairos.gateway.admin.AdminException;
import dev.kairos.gateway.admin.AdminExtension;
import dev.kairos.gateway.admin.PlatformControl;
import dev.kairos.sdk.model.Durations;
import dev.kairos.sdk.model.ScalingConfig;
import dev.kairos.sdk.model.ScalingKnobs;
import dev.kairos.sdk.time.Clock;
import io.vertx.core.Vertx;
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

/**
 * The console's what-if endpoints: the Tune page's preview and the Simulate page's replays, both
 * through the autoscaler's simulator ({@link Replays}).
 *
 * <pre>
 * POST /admin/console/preview/{m}         {"scaling": {...}}: validate knobs, replay the last hour
 * POST /admin/console/search/{m}          {"attainment": 0.99, "budget": 20}: search the knobs on
 *                                         the last hour; the recommendation and the frontier
 * GET  /admin/console/traces              the traces the Simulate page can replay
 * POST /admin/console/simulate            {"trace": id, "csv": text, "knobs": {}, "compare": {}}
 * </pre>
 */
final class ReplayApi implements AdminExtension {
  /** The sample trace on the classpath that the Simulate page offers. */
  static final String SAMPLE_TRACE = "dev/kairos/console/traces/sample.csv";

  private static final long MAX_UPLOAD = 8L << 20;

  private final Vertx vertx;
  private final Clock clock;
  private final MetricsRing ring;
  private final PlatformControl platform;
  private final Replays replays;
  private final Path azureTrace;

  ReplayApi(
      Vertx vertx,
      Clock clock,
      MetricsRing ring,
      PlatformControl platform,
      Replays replays,
      Path azureTrace) {
    this.vertx = vertx;
    this.clock = clock;
    this.ring = ring;
    this.platform = platform;
    this.replays = replays;
    this.azureTrace = azureTrace;
  }

  @Override
  public void install(Router router) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(MAX_UPLOAD);
    router.post("/admin/console/preview/:model").handler(body).handler(this::preview);
    router.post("/admin/console/search/:model").handler(body).handler(this::search);
    router.get("/admin/console/traces").handler(ctx -> json(ctx, traces()));
    router.post("/admin/console/simulate").handler(body).handler(this::simulate);
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
        vertx,
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

  /** Searches the knobs on the last hour of recorded arrivals, as kairos tune would. */
  private void search(RoutingContext ctx) {
    String model = model(ctx);
    JsonObject body = bodyObject(ctx);
    double attainment = number(body, "attainment", 0.99);
    double budget = number(body, "budget", 20);
    if (!(attainment >= 0 && attainment <= 1)) {
      throw AdminException.badRequest(
          "attainment = " + attainment + ", must be between 0 and 1 (e.g. 0.99)");
    }
    if (!(budget >= 1 && budget <= 200)) {
      throw AdminException.badRequest("budget = " + budget + ", must be between 1 and 200 replays");
    }
    ScalingConfig current = ScalingKnobs.apply(ScalingConfig.DEFAULT, platform.scaling(model));
    int seconds = 3600;
    int[] arrivals = ring.arrivals(model, Math.floorDiv(clock.wallMillis(), 1000L), seconds);
    double service = medianLatencySeconds(model);
    blocking(
        vertx,
        ctx,
        () ->
            replays
                .search(
                    model,
                    arrivals,
                    current,
                    service,
                    (int) Math.max(1, Math.ceil(current.targetConcurrency())),
                    1.0,
                    attainment,
                    budget)
                .put("serviceMs", service * 1000)
                .put("recordedRequests", Arrays.stream(arrivals).asLongStream().sum()));
  }

  private static double number(JsonObject body, String key, double dflt) {
    Object v = body.getValue(key);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    throw AdminException.badRequest(key + " must be a number, got " + v);
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
        vertx,
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
          return csvTrace(
              new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8),
              "sample trace (bundled)");
        }
      case "upload":
        return csvTrace(csv, "uploaded CSV");
      default:
        throw AdminException.badRequest(
            "trace '" + id + "' is unknown: sample, recorded, azure or upload");
    }
  }

  private static Trace csvTrace(String text, String name) throws IOException {
    Path tmp = Files.createTempFile("kairos-trace", ".csv");
    try {
      Files.writeString(tmp, text);
      Trace t = Trace.csv(tmp);
      if (t.models().isEmpty()) {
        throw AdminException.badRequest("the trace has no timestamp,model rows");
      }
      return new Trace(t.models(), t.durationSeconds(), name);
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
}
