package dev.kairos.kubernetes.autoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.sun.net.httpserver.HttpServer;
import dev.kairos.autoscaler.scaler.ScaleTarget;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true, https = false)
class GatewayConcurrencyTest {
  static final String NS = "kairos";

  KubernetesClient client;
  final List<HttpServer> gateways = new ArrayList<>();

  @AfterEach
  void stop() {
    gateways.forEach(g -> g.stop(0));
  }

  @Test
  void shouldAddTheInFlightRequestsOfEveryGatewayPodByModelVersion() throws Exception {
    int a =
        gateway(
            """
            # HELP kairos_gateway_replica_in_flight Requests forwarded to a replica and not yet answered.
            # TYPE kairos_gateway_replica_in_flight gauge
            kairos_gateway_replica_in_flight{model="mlp",replica="10.0.0.1:8080",version="1"} 3.0
            kairos_gateway_replica_in_flight{model="mlp",replica="10.0.0.2:8080",version="1"} 2.0
            kairos_gateway_replica_in_flight{model="mlp",replica="10.0.1.1:8080",version="2"} 1.0
            kairos_gateway_model_in_flight{model="mlp"} 6.0
            """);
    int b =
        gateway(
            """
            kairos_gateway_replica_in_flight{model="mlp",replica="10.0.0.1:8080",version="1"} 4.0
            """);
    // two gateway pods, both on loopback: one slice per pod keeps their ports apart
    slice("kairos-gateway-a", a);
    slice("kairos-gateway-b", b);
    GatewayConcurrency c = new GatewayConcurrency(client, NS, "kairos-gateway");

    c.refresh();

    assertThat(c.concurrency(new ScaleTarget("mlp", "1"))).isEqualTo(9.0);
    assertThat(c.concurrency(new ScaleTarget("mlp", "2"))).isEqualTo(1.0);
    assertThat(c.concurrency(new ScaleTarget("cnn", "1"))).isZero();
  }

  @Test
  void shouldCountAGatewayThatDoesNotAnswerAsNoRequests() throws Exception {
    int a = gateway("kairos_gateway_replica_in_flight{model=\"mlp\",version=\"1\"} 5\n");
    HttpServer dead = gateways.remove(0);
    dead.stop(0);
    slice("kairos-gateway-a", a);
    GatewayConcurrency c = new GatewayConcurrency(client, NS, "kairos-gateway");

    c.refresh();

    assertThat(c.concurrency(new ScaleTarget("mlp", "1"))).isZero();
  }

  @Test
  void shouldScaleOnTheMeanConcurrencySinceThePreviousScrapeNotOnWhatIsInFlightAtIt()
      throws Exception {
    AtomicReference<String> metrics =
        new AtomicReference<>(
            """
            kairos_gateway_replica_in_flight{model="mlp",replica="10.0.0.1:8080",version="1"} 0.0
            kairos_gateway_in_flight_seconds_total{model="mlp",version="1"} 12.0
            """);
    slice("kairos-gateway-a", gateway(metrics));
    AtomicLong now = new AtomicLong(0);
    GatewayConcurrency c = new GatewayConcurrency(client, NS, "kairos-gateway", now::get);
    ScaleTarget mlp = new ScaleTarget("mlp", "1");

    c.refresh();
    assertThat(c.concurrency(mlp)).as("first scrape: what is in flight now").isZero();

    // 250 ms later: short requests added 130 ms in flight, none is in flight at the scrape
    now.addAndGet(250_000_000L);
    metrics.set(
        """
        kairos_gateway_replica_in_flight{model="mlp",replica="10.0.0.1:8080",version="1"} 0.0
        kairos_gateway_in_flight_seconds_total{model="mlp",version="1"} 12.13
        """);
    c.refresh();
    assertThat(c.concurrency(mlp)).isCloseTo(0.52, within(1e-9));

    // the gateway restarted: its counter went back; what is in flight now until the next scrape
    now.addAndGet(250_000_000L);
    metrics.set(
        """
        kairos_gateway_replica_in_flight{model="mlp",replica="10.0.0.1:8080",version="1"} 2.0
        kairos_gateway_in_flight_seconds_total{model="mlp",version="1"} 0.1
        """);
    c.refresh();
    assertThat(c.concurrency(mlp)).isEqualTo(2.0);
  }

  @Test
  void shouldReadLabelsWithEscapedQuotes() {
    Map<ScaleTarget, Double> read =
        GatewayConcurrency.read(
            "kairos_gateway_replica_in_flight{model=\"m\",replica=\"a\\\"b\",version=\"7\"} 2.5 1700000000\n",
            GatewayConcurrency.METRIC);

    assertThat(read).containsExactly(Map.entry(new ScaleTarget("m", "7"), 2.5));
  }

  private void slice(String name, int port) {
    client
        .discovery()
        .v1()
        .endpointSlices()
        .inNamespace(NS)
        .resource(
            new EndpointSliceBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .addToLabels("kubernetes.io/service-name", "kairos-gateway")
                .endMetadata()
                .withAddressType("IPv4")
                .addNewPort()
                .withName("http")
                .withPort(port)
                .endPort()
                .addNewEndpoint()
                .withAddresses("127.0.0.1")
                .withNewConditions()
                .withReady(true)
                .endConditions()
                .endEndpoint()
                .build())
        .create();
  }

  private int gateway(String metrics) throws Exception {
    return gateway(new AtomicReference<>(metrics));
  }

  private int gateway(AtomicReference<String> metrics) throws Exception {
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    s.createContext(
        "/metrics",
        ex -> {
          byte[] b = metrics.get().getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, b.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
          }
        });
    s.start();
    gateways.add(s);
    return s.getAddress().getPort();
  }
}
