package dev.kairos.kubernetes.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kairos.kubernetes.Models;
import dev.kairos.kubernetes.crd.Model;
import dev.kairos.kubernetes.crd.ModelLabels;
import dev.kairos.sdk.model.ModelConfig;
import dev.kairos.sdk.model.ModelConfigParser;
import dev.kairos.sdk.replica.ReplicaToken;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true, https = false)
class ModelControllerTest {
  static final String NS = "kairos";

  KubernetesClient client;
  KubernetesMockServer server;
  ModelController controller;

  @BeforeEach
  void start() {
    ControllerConfig config =
        ControllerConfig.defaults(NS).withRuntimeImage("registry.local/kairos-runtime:test");
    Clock clock = Clock.fixed(Instant.parse("2026-11-23T04:00:00Z"), ZoneOffset.UTC);
    controller = new ModelController(client, NS, new ModelReconciler(client, config, clock));
    controller.start();
  }

  @AfterEach
  void stop() {
    // Let the watches drain before closing them: the mock server blocks its event loop when a
    // watch closes while it is still sending that watch an event.
    controller.stopReconciling();
    await().until(controller::caughtUp);
    controller.close();
  }

  @Test
  void shouldCreateConfigMapAndOneDeploymentAndServicePerVersion() {
    Model created = client.resources(Model.class).inNamespace(NS).resource(Models.mlp(NS)).create();

    Deployment v1 = awaitDeployment("mlp-v1");
    Deployment v2 = awaitDeployment("mlp-v2");
    assertThat(v1.getSpec().getReplicas()).isEqualTo(2);
    assertThat(v1.getSpec().getSelector().getMatchLabels())
        .containsEntry(ModelLabels.MODEL, "mlp")
        .containsEntry(ModelLabels.VERSION, "1");
    assertThat(v2.getSpec().getSelector().getMatchLabels()).containsEntry(ModelLabels.VERSION, "2");
    assertThat(v1.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getKind()).isEqualTo("Model");
              assertThat(o.getApiVersion()).isEqualTo("kairos.dev/v1alpha1");
              assertThat(o.getUid()).isEqualTo(created.getMetadata().getUid());
              assertThat(o.getController()).isTrue();
            });
    assertThat(v1.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal())
        .isZero();

    Container c = v1.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getImage()).isEqualTo("registry.local/kairos-runtime:test");
    assertThat(c.getArgs())
        .containsExactly(
            "--model-dir",
            "/models/mlp",
            "--version",
            "1",
            "--host",
            "0.0.0.0",
            "--port",
            "8080",
            "--cores",
            "1",
            "--workers",
            "1");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/v2/health/ready");
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/v2/health/live");
    assertThat(c.getPorts())
        .singleElement()
        .satisfies(p -> assertThat(p.getName()).isEqualTo("http"));
    assertThat(c.getVolumeMounts())
        .extracting(VolumeMount::getMountPath, VolumeMount::getSubPath)
        .contains(
            org.assertj.core.groups.Tuple.tuple("/models/mlp/model.yaml", "model.yaml"),
            org.assertj.core.groups.Tuple.tuple("/models/mlp/1", "mlp/1"));
    assertThat(v1.getSpec().getTemplate().getSpec().getVolumes())
        .anySatisfy(
            v -> {
              assertThat(v.getPersistentVolumeClaim()).isNotNull();
              assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("kairos-models");
              assertThat(v.getPersistentVolumeClaim().getReadOnly()).isTrue();
            });
    assertThat(v1.getSpec().getTemplate().getSpec().getNodeSelector()).isNullOrEmpty();

    Service s1 = await().until(() -> service("mlp-v1"), s -> s != null);
    assertThat(s1.getSpec().getSelector())
        .isEqualTo(ModelLabels.selector("mlp", "1"))
        .isEqualTo(
            v1.getSpec().getTemplate().getMetadata().getLabels().entrySet().stream()
                .filter(e -> ModelLabels.selector("mlp", "1").containsKey(e.getKey()))
                .collect(
                    java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
    assertThat(s1.getSpec().getPorts())
        .singleElement()
        .satisfies(p -> assertThat(p.getPort()).isEqualTo(8080));
    assertThat(service("mlp-v2")).isNotNull();

    ConfigMap cm = client.configMaps().inNamespace(NS).withName("mlp-model-config").get();
    ModelConfig rendered =
        ModelConfigParser.parse(cm.getData().get("model.yaml"), Path.of("model.yaml"), "x");
    assertThat(rendered.name()).isEqualTo("mlp");
    assertThat(rendered.engine()).isEqualTo("onnxruntime");
    assertThat(rendered.batching().maxBatchSize()).isEqualTo(8);
    assertThat(rendered.batching().maxQueueDelay()).isEqualTo(Duration.ofMillis(2));
    assertThat(rendered.traffic()).isEqualTo(Map.of("1", 90, "2", 10));
    assertThat(rendered.inputs())
        .singleElement()
        .satisfies(t -> assertThat(t.name()).isEqualTo("input"));
  }

  @Test
  void shouldGiveEveryRuntimePodTheReplicaTokenFromItsSecretAndProbeWhereNoTokenIsAsked() {
    client.resources(Model.class).inNamespace(NS).resource(Models.mlp(NS)).create();

    for (String name : List.of("mlp-v1", "mlp-v2")) {
      var pod = awaitDeployment(name).getSpec().getTemplate().getSpec();
      Container c = pod.getContainers().get(0);
      assertThat(c.getEnv())
          .anySatisfy(
              e -> {
                assertThat(e.getName()).isEqualTo(ReplicaToken.FILE_ENV);
                assertThat(e.getValue()).isEqualTo("/etc/kairos/replica-token/token");
              });
      assertThat(c.getVolumeMounts())
          .anySatisfy(
              m -> {
                assertThat(m.getMountPath()).isEqualTo("/etc/kairos/replica-token");
                assertThat(m.getReadOnly()).isTrue();
                assertThat(m.getName()).isEqualTo("replica-token");
              });
      assertThat(pod.getVolumes())
          .anySatisfy(
              v -> {
                assertThat(v.getName()).isEqualTo("replica-token");
                assertThat(v.getSecret().getSecretName()).isEqualTo("kairos-replica-token");
                assertThat(v.getSecret().getOptional()).isFalse();
              });
      // the kubelet shows no token: its probes must be paths a replica answers without one
      assertThat(
              List.of(
                  c.getStartupProbe().getHttpGet().getPath(),
                  c.getLivenessProbe().getHttpGet().getPath(),
                  c.getReadinessProbe().getHttpGet().getPath()))
          .allMatch(path -> path.equals("/v2/health/live") || path.equals("/v2/health/ready"));
      // no secret on the command line
      assertThat(String.join(" ", c.getArgs())).doesNotContain("token");
    }
  }

  @Test
  void shouldWriteReplicaCountsAndReadinessBackIntoTheStatus() {
    client.resources(Model.class).inNamespace(NS).resource(Models.mlp(NS)).create();
    awaitDeployment("mlp-v1");
    awaitDeployment("mlp-v2");
    await()
        .untilAsserted(
            () -> {
              Model m = model();
              assertThat(m.getStatus().getReplicas()).isEqualTo(4);
              assertThat(m.getStatus().getReadyReplicas()).isZero();
              assertThat(m.getStatus().getVersions()).hasSize(2);
              assertThat(m.getStatus().getVersions().get(0).getWeight()).isEqualTo(90);
              assertThat(ready(m).getStatus()).isEqualTo("False");
              assertThat(ready(m).getReason()).isEqualTo("ReplicasStarting");
            });

    // the Deployment controller would report ready pods like this
    for (String d : new String[] {"mlp-v1", "mlp-v2"}) {
      Deployment dep = client.apps().deployments().inNamespace(NS).withName(d).get();
      dep.setStatus(new DeploymentStatusBuilder().withReplicas(2).withReadyReplicas(2).build());
      client.apps().deployments().inNamespace(NS).resource(dep).updateStatus();
    }

    await()
        .untilAsserted(
            () -> {
              Model m = model();
              assertThat(m.getStatus().getReadyReplicas()).isEqualTo(4);
              assertThat(ready(m).getStatus()).isEqualTo("True");
              assertThat(ready(m).getReason()).isEqualTo("ReplicasReady");
            });
  }

  @Test
  void shouldRollThePodsOnASpecChangeButKeepTheReplicasTheAutoscalerSet() {
    client.resources(Model.class).inNamespace(NS).resource(Models.mlp(NS)).create();
    Deployment before = awaitDeployment("mlp-v1");
    String hashBefore =
        before
            .getSpec()
            .getTemplate()
            .getMetadata()
            .getAnnotations()
            .get(RuntimeObjects.CONFIG_HASH);
    client.apps().deployments().inNamespace(NS).withName("mlp-v1").scale(5);

    editModel(m -> m.getSpec().setBatching(Models.map("maxBatchSize", 16, "maxQueueDelay", "5ms")));

    await()
        .untilAsserted(
            () -> {
              Deployment after =
                  client.apps().deployments().inNamespace(NS).withName("mlp-v1").get();
              assertThat(
                      after
                          .getSpec()
                          .getTemplate()
                          .getMetadata()
                          .getAnnotations()
                          .get(RuntimeObjects.CONFIG_HASH))
                  .isNotEqualTo(hashBefore);
              assertThat(after.getSpec().getReplicas()).isEqualTo(5);
            });
    assertThat(
            client
                .configMaps()
                .inNamespace(NS)
                .withName("mlp-model-config")
                .get()
                .getData()
                .get("model.yaml"))
        .contains("maxBatchSize: 16");
  }

  @Test
  void shouldReportAnInvalidSpecOnTheModelAndCreateNothing() {
    Model bad = Models.mlp(NS);
    bad.getSpec().setScaling(Models.map("minReplicas", 5, "maxReplicas", 2));
    client.resources(Model.class).inNamespace(NS).resource(bad).create();

    await()
        .untilAsserted(
            () -> {
              Model m = model();
              assertThat(m.getStatus()).isNotNull();
              assertThat(ready(m).getReason()).isEqualTo("InvalidSpec");
              assertThat(ready(m).getMessage()).contains("maxReplicas");
            });
    assertThat(client.apps().deployments().inNamespace(NS).list().getItems()).isEmpty();
  }

  @Test
  void shouldRemoveAVersionDroppedFromTheSpec() {
    client.resources(Model.class).inNamespace(NS).resource(Models.mlp(NS)).create();
    awaitDeployment("mlp-v2");

    editModel(
        m -> {
          m.getSpec().setVersions(java.util.List.of("1"));
          m.getSpec().setTraffic(Map.of());
        });

    await()
        .untilAsserted(
            () -> {
              assertThat(client.apps().deployments().inNamespace(NS).withName("mlp-v2").get())
                  .isNull();
              assertThat(service("mlp-v2")).isNull();
            });
    assertThat(client.apps().deployments().inNamespace(NS).withName("mlp-v1").get()).isNotNull();
  }

  @Test
  void shouldRemoveEverythingWhenTheModelIsDeleted() {
    client.resources(Model.class).inNamespace(NS).resource(Models.mlp(NS)).create();
    awaitDeployment("mlp-v1");
    awaitDeployment("mlp-v2");
    await().until(() -> service("mlp-v2") != null);

    client.resources(Model.class).inNamespace(NS).withName("mlp").delete();

    await()
        .untilAsserted(
            () -> {
              assertThat(client.apps().deployments().inNamespace(NS).list().getItems()).isEmpty();
              assertThat(client.services().inNamespace(NS).list().getItems()).isEmpty();
              assertThat(
                      client
                          .configMaps()
                          .inNamespace(NS)
                          .withLabel(ModelLabels.MODEL)
                          .list()
                          .getItems())
                  .isEmpty();
            });
  }

  /** Edits the Model like a user would, retrying when the controller's status write won. */
  private void editModel(java.util.function.Consumer<Model> change) {
    await()
        .ignoreExceptionsInstanceOf(KubernetesClientException.class)
        .until(
            () -> {
              Model m = model();
              change.accept(m);
              client.resources(Model.class).inNamespace(NS).resource(m).update();
              return true;
            });
  }

  private Deployment awaitDeployment(String name) {
    return await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> client.apps().deployments().inNamespace(NS).withName(name).get(), d -> d != null);
  }

  private Service service(String name) {
    return client.services().inNamespace(NS).withName(name).get();
  }

  /** The Ready condition, failing (and so retried by untilAsserted) while there is none. */
  private static io.fabric8.kubernetes.api.model.Condition ready(Model m) {
    assertThat(m.getStatus()).isNotNull();
    assertThat(m.getStatus().condition("Ready")).as("Ready condition").isNotNull();
    return m.getStatus().condition("Ready");
  }

  private Model model() {
    return client.resources(Model.class).inNamespace(NS).withName("mlp").get();
  }
}
