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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Concurrency per model version over every gateway pod: the sum of the gateways' {@code
 * kairos_gateway_replica_in_flight} gauges, read from their {@code /metrics}. The gateway pods are
 * the ready endpoints of the gateway Service. {@link #refresh()} scrapes them all; {@link
 * #concurrency} answers from the last scrape, so the autoscaler's loop never waits on the network.
 */
public final class GatewayConcurrency implements ConcurrencySource {
  static final String METRIC = "kairos_gateway_replica_in_flight";
  private static final Logger log = LoggerFactory.getLogger(GatewayConcurrency.class);
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final KubernetesClient client;
  private final String namespace;
  private final String gatewayService;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private volatile Map<ScaleTarget, Double> last = Map.of();

  public GatewayConcurrency(KubernetesClient client, String namespace, String gatewayService) {
    this.client = client;
    this.namespace = namespace;
    this.gatewayService = gatewayService;
  }

  @Override
  public double concurrency(ScaleTarget target) {
    return last.getOrDefault(target, 0.0);
  }

  /** Scrapes every ready gateway pod; a pod that does not answer counts as no requests. */
  public void refresh() {
    Map<ScaleTarget, Double> sum = new HashMap<>();
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
          scrape(e.getAddresses().get(0), port, sum);
        }
      }
    }
    last = Map.copyOf(sum);
  }

  private void scrape(String host, int port, Map<ScaleTarget, Double> into) {
    String h = host.contains(":") ? "[" + host + "]" : host;
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://" + h + ":" + port + "/metrics"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        add(r.body(), into);
      } else {
        log.warn("gateway {}:{} answered /metrics with {}", host, port, r.statusCode());
      }
    } catch (java.io.IOException e) {
      log.warn("gateway {}:{} metrics unreachable: {}", host, port, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Adds the in-flight gauges of one Prometheus text exposition, by model and version. */
  static void add(String exposition, Map<ScaleTarget, Double> into) {
    for (String line : exposition.split("\n")) {
      if (!line.startsWith(METRIC + "{")) {
        continue;
      }
      int close = line.lastIndexOf('}');
      if (close < 0) {
        continue;
      }
      Map<String, String> labels = new HashMap<>();
      Matcher m = LABEL.matcher(line.substring(METRIC.length() + 1, close));
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
