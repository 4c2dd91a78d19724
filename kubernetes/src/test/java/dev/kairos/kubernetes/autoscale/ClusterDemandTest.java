package dev.kairos.kubernetes.autoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.kairos.sdk.replica.ReplicaToken;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true, https = false)
class ClusterDemandTest {
  static final String NS = "kairos";
  static final ReplicaToken TOKEN = ReplicaToken.random();

  KubernetesClient client;
  HttpServer autoscaler;
  final List<String> received = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startAutoscaler() throws Exception {
    autoscaler = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    autoscaler.createContext(
        "/demand",
        ex -> {
          received.add(
              ex.getRequestMethod()
                  + " "
                  + ex.getRequestURI().getRawQuery()
                  + " token="
                  + TOKEN.matches(ex.getRequestHeaders().getFirst(ReplicaToken.HEADER)));
          ex.sendResponseHeaders(202, -1);
          ex.close();
        });
    autoscaler.start();
  }

  @AfterEach
  void stop() {
    autoscaler.stop(0);
  }

  @Test
  void shouldAnnounceHeldRequestsToTheAutoscalerPods() {
    client
        .discovery()
        .v1()
        .endpointSlices()
        .inNamespace(NS)
        .resource(
            new EndpointSliceBuilder()
                .withNewMetadata()
                .withName("kairos-autoscaler-abcde")
                .withNamespace(NS)
                .addToLabels("kubernetes.io/service-name", "kairos-autoscaler")
                .endMetadata()
                .withAddressType("IPv4")
                .addNewPort()
                .withName("health")
                .withPort(autoscaler.getAddress().getPort())
                .endPort()
                .addNewEndpoint()
                .withAddresses("127.0.0.1")
                .endEndpoint()
                .build())
        .create();

    try (ClusterDemand demand = new ClusterDemand(client, NS, "kairos-autoscaler", TOKEN)) {
      demand.demand("mlp", "1", 1);
      demand.demand("resnet 18", null, 3);

      await().until(() -> received.size() == 2);
    }
    assertThat(received)
        .containsExactlyInAnyOrder(
            "POST model=mlp&version=1 token=true", "POST model=resnet+18 token=true");
  }
}
