package dev.kairos.kubernetes.scaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.autoscaler.scaler.ReplicaCount;
import dev.kairos.autoscaler.scaler.ScaleTarget;
import dev.kairos.kubernetes.Models;
import dev.kairos.kubernetes.crd.Model;
import dev.kairos.kubernetes.reconcile.ControllerConfig;
import dev.kairos.kubernetes.reconcile.ModelReconciler;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Clock;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true, https = false)
class KubernetesScalerTest {
  static final String NS = "kairos";
  static final ScaleTarget V1 = new ScaleTarget("mlp", "1");

  KubernetesClient client;
  ExecutorService executor = Executors.newSingleThreadExecutor();
  KubernetesScaler scaler;

  @BeforeEach
  void deployModel() {
    Model m = client.resources(Model.class).inNamespace(NS).resource(Models.mlp(NS)).create();
    new ModelReconciler(client, ControllerConfig.defaults(NS), Clock.systemUTC()).reconcile(m);
    scaler = new KubernetesScaler(client, NS, executor);
  }

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  @Test
  void shouldSetTheDeploymentsReplicasThroughTheScaleSubresource() {
    assertThat(scaler.replicas(V1)).isEqualTo(new ReplicaCount(2, 0));

    scaler.scale(V1, 5).toCompletableFuture().join();

    assertThat(deployment("mlp-v1").getSpec().getReplicas()).isEqualTo(5);
    assertThat(deployment("mlp-v2").getSpec().getReplicas()).isEqualTo(2);
    assertThat(scaler.replicas(V1).desired()).isEqualTo(5);
  }

  @Test
  void shouldScaleToZeroAndBack() {
    scaler.scale(V1, 0).toCompletableFuture().join();
    assertThat(scaler.replicas(V1)).isEqualTo(new ReplicaCount(0, 0));

    scaler.scale(V1, 1).toCompletableFuture().join();
    assertThat(deployment("mlp-v1").getSpec().getReplicas()).isEqualTo(1);
  }

  @Test
  void shouldReportReadyReplicasFromTheDeploymentStatus() {
    Deployment d = deployment("mlp-v1");
    d.setStatus(new DeploymentStatusBuilder().withReplicas(2).withReadyReplicas(1).build());
    client.apps().deployments().inNamespace(NS).resource(d).updateStatus();

    assertThat(scaler.replicas(V1)).isEqualTo(new ReplicaCount(2, 1));
  }

  @Test
  void shouldReportNoReplicasForAVersionWithoutDeployment() {
    assertThat(scaler.replicas(new ScaleTarget("mlp", "7"))).isEqualTo(new ReplicaCount(0, 0));
  }

  @Test
  void shouldRefuseANegativeReplicaCount() {
    assertThatThrownBy(() -> scaler.scale(V1, -1).toCompletableFuture().join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("replicas = -1");
    assertThat(deployment("mlp-v1").getSpec().getReplicas()).isEqualTo(2);
  }

  @Test
  void shouldFailTheScaleOfAVersionWithoutDeployment() {
    assertThatThrownBy(
            () -> scaler.scale(new ScaleTarget("mlp", "7"), 1).toCompletableFuture().join())
        .isInstanceOf(CompletionException.class);
  }

  private Deployment deployment(String name) {
    return client.apps().deployments().inNamespace(NS).withName(name).get();
  }
}
