package dev.kairos.kubernetes.autoscale;

import dev.kairos.gateway.activator.DemandListener;
import dev.kairos.sdk.replica.ReplicaToken;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway side of scale from zero in a cluster: a request held for a model without ready
 * replicas is announced to every autoscaler pod ({@code POST /demand}); the leader scales at once,
 * standbys decline. Sent without waiting, so the gateway's event loop never blocks.
 */
public final class ClusterDemand implements DemandListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterDemand.class);

  private final SharedIndexInformer<EndpointSlice> autoscalers;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private final ReplicaToken token;

  /**
   * @param autoscalerService the Service selecting the autoscaler pods (port named "health")
   * @param token shown to the autoscalers, which take demand only from gateways; null for none
   */
  public ClusterDemand(
      KubernetesClient client, String namespace, String autoscalerService, ReplicaToken token) {
    this.token = token;
    this.autoscalers =
        client
            .discovery()
            .v1()
            .endpointSlices()
            .inNamespace(namespace)
            .withLabel("kubernetes.io/service-name", autoscalerService)
            .inform();
  }

  @Override
  public void demand(String model, String version, int held) {
    String query =
        "model="
            + URLEncoder.encode(model, StandardCharsets.UTF_8)
            + (version == null
                ? ""
                : "&version=" + URLEncoder.encode(version, StandardCharsets.UTF_8));
    for (EndpointSlice s : autoscalers.getStore().list()) {
      Integer port = port(s);
      if (port == null || s.getEndpoints() == null) {
        continue;
      }
      for (Endpoint e : s.getEndpoints()) {
        if (e.getAddresses() == null || e.getAddresses().isEmpty()) {
          continue;
        }
        String host = e.getAddresses().get(0);
        host = host.contains(":") ? "[" + host + "]" : host;
        URI uri = URI.create("http://" + host + ":" + port + "/demand?" + query);
        HttpRequest.Builder request =
            HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(2))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
          request.header(ReplicaToken.HEADER, token.secret());
        }
        http.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding())
            .whenComplete(
                (r, err) -> {
                  if (err != null) {
                    log.warn("model={} demand not delivered to {}: {}", model, uri, err.toString());
                  } else if (r.statusCode() == 401) {
                    log.warn(
                        "model={} demand refused by the autoscaler at {}: the replica tokens differ",
                        model,
                        uri.getHost());
                  } else if (r.statusCode() == 202) {
                    log.info("model={} demand taken by the autoscaler at {}", model, uri.getHost());
                  }
                });
      }
    }
  }

  private static Integer port(EndpointSlice s) {
    if (s.getPorts() == null) {
      return null;
    }
    for (EndpointPort p : s.getPorts()) {
      if ("health".equals(p.getName())) {
        return p.getPort();
      }
    }
    return s.getPorts().isEmpty() ? null : s.getPorts().get(0).getPort();
  }

  @Override
  public void close() {
    autoscalers.close();
  }
}
