package dev.kairos.gateway.metrics;

import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.route.ReplicaSet;
import dev.kairos.gateway.route.RouteTable;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The gateway's Prometheus meters: requests by model, version and code; latency histograms;
 * in-flight per model and replica; breaker states; rejections and retries by reason.
 *
 * <p>Label lookups are cached per label combination so the hot path costs a map hit and an add.
 */
public final class GatewayMetrics {
  /** Why a request was refused without reaching a replica. */
  public enum Rejection {
    UNAUTHENTICATED,
    FORBIDDEN,
    RATE_LIMITED,
    OVERLOADED,
    QUEUE_TIMEOUT,
    NO_REPLICA,
    TOO_LARGE,
    TOO_MANY_CONNECTIONS;

    final String label = name().toLowerCase(java.util.Locale.ROOT);
  }

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter requests;
  private final Histogram latency;
  private final Counter rejections;
  private final Counter retries;

  /** Data points by model, then version: found without building a key string per request. */
  private final Map<String, Map<String, VersionPoints>> points = new ConcurrentHashMap<>();

  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  public GatewayMetrics(RouteTable routes) {
    requests =
        Counter.builder()
            .name("kairos_gateway_requests_total")
            .help("Requests answered, by model, version and HTTP status.")
            .labelNames("model", "version", "code")
            .register(registry);
    latency =
        Histogram.builder()
            .name("kairos_gateway_request_duration_seconds")
            .help("Time from request to response, by model and version.")
            .labelNames("model", "version")
            .classicOnly()
            .classicUpperBounds(
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
                60)
            .withoutExemplars()
            .register(registry);
    rejections =
        Counter.builder()
            .name("kairos_gateway_rejections_total")
            .help("Requests refused before reaching a replica, by model and reason.")
            .labelNames("model", "reason")
            .register(registry);
    retries =
        Counter.builder()
            .name("kairos_gateway_retries_total")
            .help("Requests sent again to another replica, by model and outcome.")
            .labelNames("model", "outcome")
            .register(registry);
    GaugeWithCallback.builder()
        .name("kairos_gateway_model_in_flight")
        .help("Requests forwarded and not yet answered, by model.")
        .labelNames("model")
        .callback(
            cb -> {
              for (ModelRoute m : routes.all()) {
                cb.call(m.inFlight(), m.name());
              }
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("kairos_gateway_replica_in_flight")
        .help("Requests forwarded to a replica and not yet answered.")
        .labelNames("model", "version", "replica")
        .callback(
            cb -> eachReplica(routes, (m, v, r) -> cb.call(r.inFlight(), m.name(), v, r.id())))
        .register(registry);
    CounterWithCallback.builder()
        .name("kairos_gateway_in_flight_seconds")
        .help(
            "Requests in flight integrated over time, by model and version: its rate is the mean"
                + " concurrency, which the autoscaler scales on.")
        .labelNames("model", "version")
        .callback(
            cb -> {
              for (ModelRoute m : routes.all()) {
                for (Map.Entry<String, ReplicaSet> v : m.versions().entrySet()) {
                  cb.call(v.getValue().inFlightNanos() / 1e9, m.name(), v.getKey());
                }
              }
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("kairos_gateway_breaker_state")
        .help("Circuit breaker of a replica: 0 closed, 1 open, 2 half-open.")
        .labelNames("model", "version", "replica")
        .callback(
            cb ->
                eachReplica(
                    routes,
                    (m, v, r) ->
                        cb.call(
                            switch (r.breakerState()) {
                              case "OPEN", "FORCED_OPEN" -> 1;
                              case "HALF_OPEN" -> 2;
                              default -> 0;
                            },
                            m.name(),
                            v,
                            r.id())))
        .register(registry);
  }

  private interface ReplicaVisitor {
    void visit(ModelRoute m, String version, Replica r);
  }

  private static void eachReplica(RouteTable routes, ReplicaVisitor visitor) {
    for (ModelRoute m : routes.all()) {
      for (Map.Entry<String, ReplicaSet> v : m.versions().entrySet()) {
        for (Replica r : v.getValue().all()) {
          visitor.visit(m, v.getKey(), r);
        }
      }
    }
  }

  /** A request was answered. {@code version} may be null when none was chosen. */
  public void answered(String model, String version, int status, long nanos) {
    String v = version == null ? "" : version;
    Map<String, VersionPoints> versions = points.get(model);
    if (versions == null) {
      versions = points.computeIfAbsent(model, k -> new ConcurrentHashMap<>());
    }
    VersionPoints p = versions.get(v);
    if (p == null) {
      p = versions.computeIfAbsent(v, k -> new VersionPoints(model, k));
    }
    p.requests(status).inc();
    p.latency.observe(nanos / 1e9);
  }

  /** One model version's latency histogram and request counters by HTTP status. */
  private final class VersionPoints {
    private final String model;
    private final String version;
    private final DistributionDataPoint latency;
    private final AtomicReferenceArray<CounterDataPoint> byStatus = new AtomicReferenceArray<>(600);

    VersionPoints(String model, String version) {
      this.model = model;
      this.version = version;
      this.latency = GatewayMetrics.this.latency.labelValues(model, version);
    }

    CounterDataPoint requests(int status) {
      if (status < 0 || status >= byStatus.length()) {
        return GatewayMetrics.this.requests.labelValues(model, version, code(status));
      }
      CounterDataPoint c = byStatus.get(status);
      if (c == null) {
        // labelValues answers the same data point for the same labels: a race stores it twice.
        c = GatewayMetrics.this.requests.labelValues(model, version, code(status));
        byStatus.set(status, c);
      }
      return c;
    }
  }

  public void rejected(String model, Rejection reason) {
    rejections.labelValues(model == null ? "" : model, reason.label).inc();
  }

  public void retried(String model, boolean allowed) {
    retries.labelValues(model, allowed ? "retried" : "budget_exhausted").inc();
  }

  /** Per-model request, error and latency counters since start, by model name. */
  public SortedMap<String, ModelTotals> modelTotals() {
    SortedMap<String, long[]> counts = new TreeMap<>();
    Map<String, long[]> buckets = new HashMap<>();
    double[] bounds = null;
    for (MetricSnapshot snap : registry.scrape()) {
      if (snap instanceof CounterSnapshot c
          && c.getMetadata().getName().equals("kairos_gateway_requests")) {
        for (var p : c.getDataPoints()) {
          long[] n = counts.computeIfAbsent(p.getLabels().get("model"), k -> new long[2]);
          n[0] += (long) p.getValue();
          String code = p.getLabels().get("code");
          if (code != null && code.startsWith("5")) {
            n[1] += (long) p.getValue();
          }
        }
      } else if (snap instanceof HistogramSnapshot h
          && h.getMetadata().getName().equals("kairos_gateway_request_duration_seconds")) {
        for (var p : h.getDataPoints()) {
          var b = p.getClassicBuckets();
          if (bounds == null) {
            bounds = new double[b.size()];
            for (int i = 0; i < bounds.length; i++) {
              bounds[i] = b.getUpperBound(i);
            }
          }
          long[] sum = buckets.computeIfAbsent(p.getLabels().get("model"), k -> new long[b.size()]);
          for (int i = 0; i < Math.min(sum.length, b.size()); i++) {
            sum[i] += b.getCount(i);
          }
        }
      }
    }
    SortedMap<String, ModelTotals> out = new TreeMap<>();
    double[] upper = bounds == null ? new double[0] : bounds;
    for (var e : counts.entrySet()) {
      long[] b = buckets.getOrDefault(e.getKey(), new long[upper.length]);
      out.put(e.getKey(), new ModelTotals(e.getKey(), e.getValue()[0], e.getValue()[1], upper, b));
    }
    return out;
  }

  /** The Prometheus text exposition of every meter. */
  public byte[] scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    try {
      writer.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  public String contentType() {
    return PrometheusTextFormatWriter.CONTENT_TYPE;
  }

  private static String code(int status) {
    return Integer.toString(status);
  }
}
