package dev.kairos.kubernetes.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.kubernetes.Models;
import dev.kairos.kubernetes.crd.Model;
import dev.kairos.kubernetes.crd.ModelLabels;
import dev.kairos.kubernetes.crd.ModelStatus;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true, https = false)
class GatewayDiscoveryTest {
  static final String NS = "kairos";

  KubernetesClient client;
  RouteTable routes = new RouteTable();
  GatewayDiscovery discovery;

  @BeforeEach
  void start() {
    client.resources(Model.class).inNamespace(NS).resource(Models.mlp(NS)).create();
    discovery = new GatewayDiscovery(client, NS, routes);
    discovery.start();
  }

  @AfterEach
  void stop() {
    discovery.close();
  }

  @Test
  void shouldRouteToTheReadyEndpointsOfEachVersion() {
    create(slice("mlp-v1-abcde", "mlp", "1", ready("10.0.0.1"), ready("10.0.0.2")));
    create(slice("mlp-v2-fghij", "mlp", "2", ready("10.0.1.1")));

    await().until(() -> hosts("mlp", "1").equals(Set.of("10.0.0.1:8080", "10.0.0.2:8080")));
    await().until(() -> hosts("mlp", "2").equals(Set.of("10.0.1.1:8080")));
    Replica r = routes.find("mlp").existingVersion("2").all().get(0);
    assertThat(r.host()).isEqualTo("10.0.1.1");
    assertThat(r.port()).isEqualTo(8080);
    // maxQueueSize 256 (the default) + maxBatchSize 8 x 1 worker: what the runtime pod admits
    assertThat(r.capacity()).isEqualTo(264);
  }

  @Test
  void shouldFollowEndpointsThatStopBeingReadyComeAndGo() {
    create(slice("mlp-v1-abcde", "mlp", "1", ready("10.0.0.1"), ready("10.0.0.2")));
    await().until(() -> hosts("mlp", "1").size() == 2);

    // a scale-up brings 10.0.0.3; 10.0.0.1 is terminating; 10.0.0.2 fails its readiness probe
    client
        .discovery()
        .v1()
        .endpointSlices()
        .inNamespace(NS)
        .resource(
            slice(
                "mlp-v1-abcde",
                "mlp",
                "1",
                terminating("10.0.0.1"),
                notReady("10.0.0.2"),
                ready("10.0.0.3")))
        .update();

    await().until(() -> hosts("mlp", "1").equals(Set.of("10.0.0.3:8080")));
  }

  @Test
  void shouldUniteTheSlicesOfAVersionAndForgetADeletedOne() {
    create(slice("mlp-v1-aaaaa", "mlp", "1", ready("10.0.0.1")));
    create(slice("mlp-v1-bbbbb", "mlp", "1", ready("10.0.0.2")));
    await().until(() -> hosts("mlp", "1").size() == 2);

    client.discovery().v1().endpointSlices().inNamespace(NS).withName("mlp-v1-aaaaa").delete();

    await().until(() -> hosts("mlp", "1").equals(Set.of("10.0.0.2:8080")));
  }

  @Test
  void shouldScaleToZeroAndBackInRouting() {
    create(slice("mlp-v1-abcde", "mlp", "1", ready("10.0.0.1")));
    await().until(() -> hosts("mlp", "1").size() == 1);

    client
        .discovery()
        .v1()
        .endpointSlices()
        .inNamespace(NS)
        .resource(slice("mlp-v1-abcde", "mlp", "1"))
        .update();
    await().until(() -> hosts("mlp", "1").isEmpty());

    client
        .discovery()
        .v1()
        .endpointSlices()
        .inNamespace(NS)
        .resource(slice("mlp-v1-abcde", "mlp", "1", ready("10.0.0.9")))
        .update();
    await().until(() -> hosts("mlp", "1").equals(Set.of("10.0.0.9:8080")));
  }

  @Test
  void shouldTakeVersionsAndTrafficWeightsFromTheModel() {

    await()
        .until(
            () ->
                routes.find("mlp") != null
                    && routes.find("mlp").state() == ModelRoute.State.READY
                    && routes.find("mlp").traffic().equals(Map.of("1", 90, "2", 10)));
    assertThat(routes.find("mlp").versionNames()).containsExactly("1", "2");

    editModel(m -> m.getSpec().setTraffic(new java.util.LinkedHashMap<>(Map.of("1", 50, "2", 50))));
    await().until(() -> routes.find("mlp").traffic().equals(Map.of("1", 50, "2", 50)));

    client.resources(Model.class).inNamespace(NS).withName("mlp").delete();
    await().until(() -> routes.find("mlp") == null);
  }

  @Test
  void shouldAnswerAnInvalidModelWithTheControllersReason() {
    Model m = client.resources(Model.class).inNamespace(NS).withName("mlp").get();
    ModelStatus status = new ModelStatus();
    status.setConditions(
        List.of(
            new ConditionBuilder()
                .withType("Ready")
                .withStatus("False")
                .withReason("InvalidSpec")
                .withMessage("Model mlp: engine = 'tf', must be one of [...]")
                .build()));
    m.setStatus(status);
    client.resources(Model.class).inNamespace(NS).resource(m).updateStatus();

    await()
        .until(
            () ->
                routes.find("mlp") != null
                    && routes.find("mlp").state() == ModelRoute.State.FAILED);
    assertThat(routes.find("mlp").reason()).contains("engine = 'tf'");
  }

  @Test
  void shouldIgnoreSlicesOfUnknownModelsUntilTheModelArrives() {
    create(slice("cnn-v1-abcde", "cnn", "1", ready("10.0.2.1")));
    create(slice("mlp-v1-abcde", "mlp", "1", ready("10.0.0.1")));
    await().until(() -> hosts("mlp", "1").size() == 1);
    assertThat(routes.find("cnn")).isNull();

    Model cnn = Models.mlp(NS);
    cnn.getMetadata().setName("cnn");
    cnn.getSpec().setVersions(List.of("1"));
    cnn.getSpec().setTraffic(Map.of());
    client.resources(Model.class).inNamespace(NS).resource(cnn).create();

    await().until(() -> hosts("cnn", "1").equals(Set.of("10.0.2.1:8080")));
  }

  @Test
  void shouldPickUpTheSlicesThatExistedBeforeTheGatewayStarted() {
    create(slice("mlp-v1-abcde", "mlp", "1", ready("10.0.0.1"), ready("10.0.0.2")));
    await().until(() -> hosts("mlp", "1").size() == 2);

    // a second gateway pod starting now
    RouteTable other = new RouteTable();
    try (GatewayDiscovery late = new GatewayDiscovery(client, NS, other)) {
      late.start();
      await()
          .until(
              () ->
                  other.find("mlp") != null
                      && other.find("mlp").existingVersion("1") != null
                      && other.find("mlp").existingVersion("1").size() == 2);
      assertThat(other.find("mlp").state()).isEqualTo(ModelRoute.State.READY);
    }
  }

  private void editModel(Consumer<Model> change) {
    await()
        .ignoreExceptionsInstanceOf(KubernetesClientException.class)
        .until(
            () -> {
              Model m = client.resources(Model.class).inNamespace(NS).withName("mlp").get();
              change.accept(m);
              client.resources(Model.class).inNamespace(NS).resource(m).update();
              return true;
            });
  }

  private Set<String> hosts(String model, String version) {
    ModelRoute route = routes.find(model);
    if (route == null || route.existingVersion(version) == null) {
      return Set.of();
    }
    return route.existingVersion(version).all().stream()
        .map(Replica::id)
        .collect(Collectors.toSet());
  }

  private void create(EndpointSlice s) {
    client.discovery().v1().endpointSlices().inNamespace(NS).resource(s).create();
  }

  /** A slice as the EndpointSlice controller writes it for a version's Service. */
  private static EndpointSlice slice(
      String name,
      String model,
      String version,
      io.fabric8.kubernetes.api.model.discovery.v1.Endpoint... endpoints) {
    Map<String, String> labels = new java.util.HashMap<>(ModelLabels.labels(model, version));
    labels.put("kubernetes.io/service-name", ModelLabels.objectName(model, version));
    labels.put("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io");
    return new EndpointSliceBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .withLabels(labels)
        .endMetadata()
        .withAddressType("IPv4")
        .addNewPort()
        .withName("http")
        .withPort(8080)
        .withProtocol("TCP")
        .endPort()
        .withEndpoints(endpoints)
        .build();
  }

  private static io.fabric8.kubernetes.api.model.discovery.v1.Endpoint ready(String ip) {
    return endpoint(ip, true, false);
  }

  private static io.fabric8.kubernetes.api.model.discovery.v1.Endpoint notReady(String ip) {
    return endpoint(ip, false, false);
  }

  private static io.fabric8.kubernetes.api.model.discovery.v1.Endpoint terminating(String ip) {
    return endpoint(ip, false, true);
  }

  private static io.fabric8.kubernetes.api.model.discovery.v1.Endpoint endpoint(
      String ip, boolean ready, boolean terminating) {
    return new EndpointBuilder()
        .withAddresses(ip)
        .withNewConditions()
        .withReady(ready)
        .withServing(ready || terminating)
        .withTerminating(terminating)
        .endConditions()
        .build();
  }
}
