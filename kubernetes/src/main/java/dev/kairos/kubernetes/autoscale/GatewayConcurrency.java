package dev.kairos.kubernetes.autoscale;

import dev.kairos.autoscaler.ConcurrencySource;
import dev.kairos.autoscaler.scaler.ScaleTarget;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Concurrency per model version over every gateway pod, read from their {@code /metrics}: for each
 * pod, the rate of its {@code kairos_gateway_in_flight_seconds_total} counter since the previous
 * scrape (the mean concurrency over that time, which counts requests shorter than the scrape period
 * for the time they took), or its {@code kairos_gateway_replica_in_flight} gauges (the requests in
 * flight now) on a pod's first scrape or after its counter restarted. The gateway pods are the
 * ready endpoints of the gateway Service. {@link #refresh()} scrapes them all; {@link #concurrency}
 * answers from the last scrape, so the autoscaler's loop never waits on the network.
 */
public final class GatewayConcurrency implements ConcurrencySource {
  static final String METRIC = "kairos_gateway_replica_in_flight";
  static final String IN_FLIGHT_SECONDS = "kairos_gateway_in_flight_seconds_total";
  private static final Logger log = LoggerFactory.getLogger(GatewayConcurrency.class);
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final KubernetesClient client;
  private final String namespace;
  private final String gatewayService;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final LongSupplier nanoTime;
  private volatile Map<ScaleTarget, Double> last = Map.of();
  // each pod's in-flight seconds at its previous scrape; only refresh() touches it
  private Map<String, Reading> previous = Map.of();

  private record Reading(Map<ScaleTarget, Double> inFlightSeconds, long atNanos) {}

  public GatewayConcurrency(KubernetesClient client, String namespace, String gatewayService) {
    this(client, namespace, gatewayService, System::nanoTime);
  }

  GatewayConcurrency(
      KubernetesClient client, String namespace, String gatewayService, LongSupplier nanoTime) {
    this.client = client;
    this.namespace = namespace;
    this.gatewayService = gatewayService;
    this.nanoTime = nanoTime;
  }

  @Override
  public double concurrency(ScaleTarget target) {
    return last.getOrDefault(target, 0.0);
  }

  /** Scrapes every ready gateway pod; a pod that does not answer counts as no requests. */
  public synchronized void refresh() {
    Map<ScaleTarget, Double> sum = new HashMap<>();
    Map<String, Reading> now = new HashMap<>();
    for (EndpointSlice s :
        client
            .discovery()
            .v1()
            .endpointSlices()
            .inNamespace(namespace)
            .withLabel("kubernetes.io/service-name", gatewayService)
            .list()
            .getItems()) {
      Integer port = httpPort(s);
      if (port == null || s.getEndpoints() == null) {
        continue;
      }
      for (Endpoint e : s.getEndpoints()) {
        boolean ready =
            e.getConditions() == null || !Boolean.FALSE.equals(e.getConditions().getReady());
        if (ready && e.getAddresses() != null && !e.getAddresses().isEmpty()) {
          String pod = e.getAddresses().get(0) + ":" + port;
          String exposition = scrape(e.getAddresses().get(0), port);
          if (exposition != null) {
            Reading r = new Reading(read(exposition, IN_FLIGHT_SECONDS), nanoTime.getAsLong());
            now.put(pod, r);
            add(exposition, previous.get(pod), r, sum);
          }
        }
      }
    }
    previous = now;
    last = Map.copyOf(sum);
  }

  /**
   * Adds one pod's concurrency by model version: the rate of its in-flight seconds since {@code
   * before}, else its in-flight gauges.
   */
  static void add(String exposition, Reading before, Reading now, Map<ScaleTarget, Double> into) {
    Map<ScaleTarget, Double> gauges = read(exposition, METRIC);
    Map<ScaleTarget, Double> mean = new HashMap<>();
    if (before != null && now.atNanos() > before.atNanos()) {
      double seconds = (now.atNanos() - before.atNanos()) / 1e9;
      now.inFlightSeconds()
          .forEach(
              (target, total) -> {
                Double was = before.inFlightSeconds().get(target);
                if (was != null && total >= was) {
                  mean.put(target, (total - was) / seconds);
                }
              });
    }
    gauges.forEach((target, v) -> into.merge(target, mean.getOrDefault(target, v), Double::sum));
    mean.forEach(
        (target, v) -> {
          if (!gauges.containsKey(target)) {
            into.merge(target, v, Double::sum);
          }
        });
  }

  /** The exposition of one pod, or null when it does not answer. */
  private String scrape(String host, int port) {
    String h = host.contains(":") ? "[" + host + "]" : host;
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://" + h + ":" + port + "/metrics"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        return r.body();
      }
      log.warn("gateway {}:{} answered /metrics with {}", host, port, r.statusCode());
    } catch (java.io.IOException e) {
      log.warn("gateway {}:{} metrics unreachable: {}", host, port, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return null;
  }

  /** The samples of one metric in a Prometheus text exposition, summed by model and version. */
  static Map<ScaleTarget, Double> read(String exposition, String metric) {
    Map<ScaleTarget, Double> into = new HashMap<>();
    for (String line : exposition.split("\n")) {
      if (!line.startsWith(metric + "{")) {
        continue;
      }
      int close = line.lastIndexOf('}');
      if (close < 0) {
        continue;
      }
      Map<String, String> labels = new HashMap<>();
      Matcher m = LABEL.matcher(line.substring(metric.length() + 1, close));
      while (m.find()) {
        labels.put(m.group(1), m.group(2));
      }
      String model = labels.get("model");
      String version = labels.get("version");
      if (model == null || version == null) {
        continue;
      }
      String[] rest = line.substring(close + 1).trim().split("\\s+");
      try {
        into.merge(new ScaleTarget(model, version), Double.parseDouble(rest[0]), Double::sum);
      } catch (NumberFormatException e) {
        // not a sample line
      }
    }
    return into;
  }

  private static Integer httpPort(EndpointSlice s) {
    if (s.getPorts() == null) {
      return null;
    }
    for (EndpointPort p : s.getPorts()) {
      if ("http".equals(p.getName())) {
        return p.getPort();
      }
    }
    return s.getPorts().isEmpty() ? null : s.getPorts().get(0).getPort();
  }
}
