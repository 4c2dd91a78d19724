package dev.kairos.kubernetes.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kairos.autoscaler.scaler.ScaleTarget;
import dev.kairos.kubernetes.Models;
import dev.kairos.kubernetes.crd.Model;
import dev.kairos.kubernetes.leader.LeaderElectionSettings;
import dev.kairos.kubernetes.reconcile.ControllerConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two autoscaler instances: only the leader reconciles, and the standby takes over. */
@EnableKubernetesMockClient(crud = true, https = false)
class ClusterControllerTest {
  static final String NS = "kairos";

  KubernetesMockServer server;
  KubernetesClient client;
  final List<ClusterController> instances = new ArrayList<>();
  final List<KubernetesClient> clients = new ArrayList<>();

  @AfterEach
  void close() {
    instances.forEach(ClusterController::close);
    clients.forEach(KubernetesClient::close);
  }

  @Test
  void shouldReconcileOnlyOnTheLeaderAndLetTheStandbyTakeOver() {
    ClusterController a = instance("autoscaler-a");
    await().until(a::reconciling);
    ClusterController b = instance("autoscaler-b");
    await().until(() -> "autoscaler-a".equals(b.election().leader()));
    assertThat(b.reconciling()).isFalse();

    client.resources(Model.class).inNamespace(NS).resource(Models.mlp(NS)).create();
    await().until(() -> deployment("mlp-v1"));
    await()
        .until(
            () ->
                a.autoscaler().map(x -> x.targets().size()).orElse(0) == 2
                    && a.autoscaler().get().spec(new ScaleTarget("mlp", "1")).get().maxReplicas()
                        == 6);
    assertThat(b.autoscaler()).isEmpty();
    assertThat(a.demand("mlp", null)).isTrue();
    assertThat(a.demand("nobody", null)).isFalse();
    assertThat(b.demand("mlp", "1")).isFalse();

    a.close();
    // Closing a's informers can stall the mock API server's event loop for up to a minute: its
    // WatchEventsListener.onClosed waits (up to 1 min) for the watch's executor on that loop. No
    // request from b is served meanwhile, so the takeover may come only after that stall.
    await().atMost(Duration.ofSeconds(90)).until(b::reconciling);
    assertThat(a.reconciling()).isFalse();

    Model cnn = Models.mlp(NS);
    cnn.getMetadata().setName("cnn");
    client.resources(Model.class).inNamespace(NS).resource(cnn).create();
    await().until(() -> deployment("cnn-v1"));
    await()
        .until(
            () ->
                b.autoscaler()
                    .map(x -> x.targets().contains(new ScaleTarget("cnn", "2")))
                    .orElse(false));
    assertThat(b.autoscaler().get().targets()).contains(new ScaleTarget("mlp", "1"));

    client.resources(Model.class).inNamespace(NS).withName("cnn").delete();
    await()
        .until(
            () -> b.autoscaler().get().targets().stream().noneMatch(t -> t.model().equals("cnn")));
  }

  private boolean deployment(String name) {
    return client.apps().deployments().inNamespace(NS).withName(name).get() != null;
  }

  private ClusterController instance(String identity) {
    KubernetesClient c = server.createClient();
    clients.add(c);
    ClusterController controller =
        new ClusterController(
            c,
            ControllerConfig.defaults(NS),
            new LeaderElectionSettings(
                NS,
                "kairos-autoscaler",
                identity,
                Duration.ofMillis(4000),
                Duration.ofMillis(3000),
                Duration.ofMillis(250),
                true),
            Clock.systemUTC());
    instances.add(controller);
    controller.start();
    return controller;
  }
}
