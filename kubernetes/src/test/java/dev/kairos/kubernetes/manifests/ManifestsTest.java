package dev.kairos.kubernetes.manifests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.kairos.kubernetes.Models;
import dev.kairos.kubernetes.crd.Model;
import dev.kairos.kubernetes.reconcile.ControllerConfig;
import dev.kairos.kubernetes.reconcile.ModelDocument;
import dev.kairos.kubernetes.reconcile.RuntimeObjects;
import dev.kairos.sdk.replica.ReplicaToken;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ManifestsTest {
  static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  static final YAMLMapper YAML = new YAMLMapper();
  static final Set<String> MONITORING_SPEC =
      Set.of("selector", "endpoints", "podMetricsEndpoints", "namespaceSelector", "jobLabel");

  @ParameterizedTest
  @ValueSource(strings = {".", "overlays/dev", "overlays/gpu", "monitoring"})
  void shouldParseEveryRenderedObjectIntoItsTypedModelWithoutUnknownFields(String dir)
      throws Exception {
    List<HasMetadata> objects = objects(dir);

    assertThat(objects).isNotEmpty();
    for (HasMetadata o : objects) {
      String what = o.getKind() + "/" + o.getMetadata().getName();
      if (o.getApiVersion().startsWith("monitoring.coreos.com/")) {
        // no fabric8 8.x typed model for the Prometheus Operator here: check what we use
        assertThat(o.getKind()).as(what).isIn("ServiceMonitor", "PodMonitor");
        @SuppressWarnings("unchecked")
        var spec =
            (java.util.Map<String, Object>)
                ((GenericKubernetesResource) o).getAdditionalProperties().get("spec");
        assertThat(MONITORING_SPEC).as(what).containsAll(spec.keySet());
        continue;
      }
      assertThat(o).as(what + " is a known type").isNotInstanceOf(GenericKubernetesResource.class);
      assertThat(StrictModel.unknownFields(o)).as(what + " unknown fields").isEmpty();
      if (o instanceof Namespaced && Manifests.kubectlAvailable()) {
        // kustomize's namespace transformer; the plain file reading does not apply it
        assertThat(o.getMetadata().getNamespace()).as(what).isEqualTo("kairos");
      }
    }
  }

  @Test
  void shouldFindAMisspeltField() {
    HasMetadata d =
        SERIALIZATION.unmarshal(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replicas: 1\n"
                + "  template:\n    spec:\n      containers:\n      - name: c\n"
                + "        readinesProbe: {httpGet: {path: /, port: 80}}\n");
    assertThat(StrictModel.unknownFields(d))
        .containsExactly(".spec.template.spec.containers[0].readinesProbe");
  }

  @Test
  void shouldInstallWhatTheIssueAsksFor() throws Exception {
    List<HasMetadata> objects = objects(".");

    assertThat(objects)
        .extracting(HasMetadata::getKind)
        .contains(
            "Namespace",
            "CustomResourceDefinition",
            "ServiceAccount",
            "Role",
            "RoleBinding",
            "ConfigMap",
            "Deployment",
            "Service",
            "DaemonSet");
    Deployment gateway = one(objects, Deployment.class, "kairos-gateway");
    assertThat(gateway.getSpec().getReplicas()).isEqualTo(2);
    var gw = gateway.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(gw.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/v2/health/ready");
    assertThat(gw.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/v2/health/live");
    // kustomize's image transformer; the plain file reading keeps the placeholder
    assertThat(gw.getImage())
        .isEqualTo(
            Manifests.kubectlAvailable()
                ? "ghcr.io/kairos-dev/kairos-gateway:0.1.0"
                : "kairos/gateway");
    Service svc = one(objects, Service.class, "kairos-gateway");
    assertThat(svc.getSpec().getSelector())
        .isEqualTo(gateway.getSpec().getSelector().getMatchLabels());

    Deployment autoscaler = one(objects, Deployment.class, "kairos-autoscaler");
    assertThat(autoscaler.getSpec().getReplicas()).isEqualTo(2);
    assertThat(autoscaler.getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo("kairos-autoscaler");
    assertThat(rules(objects, "kairos-autoscaler"))
        .anySatisfy(
            r -> {
              assertThat(r.getApiGroups()).containsExactly("coordination.k8s.io");
              assertThat(r.getResources()).containsExactly("leases");
            })
        .anySatisfy(r -> assertThat(r.getResources()).containsExactly("deployments/scale"));

    DaemonSet arbiter = one(objects, DaemonSet.class, "kairos-arbiter");
    assertThat(arbiter.getSpec().getTemplate().getSpec().getNodeSelector())
        .containsEntry("kairos.dev/accelerator", "true");
    assertThat(arbiter.getSpec().getTemplate().getSpec().getVolumes())
        .anySatisfy(v -> assertThat(v.getHostPath().getPath()).isEqualTo("/var/run/kairos"));

    ConfigMap config = one(objects, ConfigMap.class, "kairos-config");
    assertThat(config.getData()).containsKeys("KAIROS_RUNTIME_IMAGE", "KAIROS_LEASE_DURATION");
  }

  @Test
  void shouldAdmitOnlyGatewayAndAutoscalerPodsToTheRuntimePodsTheControllerMakes()
      throws Exception {
    List<HasMetadata> objects = objects(".");
    NetworkPolicy runtime = one(objects, NetworkPolicy.class, "kairos-runtime");
    Map<String, String> runtimePod =
        new RuntimeObjects(ControllerConfig.defaults("kairos"))
            .deployment(Models.mlp("kairos"), ModelDocument.of(Models.mlp("kairos")), "1", 1)
            .getSpec()
            .getTemplate()
            .getMetadata()
            .getLabels();
    assertThat(runtimePod)
        .containsAllEntriesOf(runtime.getSpec().getPodSelector().getMatchLabels());
    assertThat(runtime.getSpec().getPolicyTypes()).containsExactly("Ingress");
    assertThat(runtime.getSpec().getIngress()).singleElement();
    List<Map<String, String>> admitted =
        runtime.getSpec().getIngress().get(0).getFrom().stream()
            .peek(peer -> assertThat(peer.getNamespaceSelector()).isNull())
            .map(peer -> peer.getPodSelector().getMatchLabels())
            .toList();
    Map<String, String> gatewayPod =
        one(objects, Deployment.class, "kairos-gateway")
            .getSpec()
            .getTemplate()
            .getMetadata()
            .getLabels();
    Map<String, String> autoscalerPod =
        one(objects, Deployment.class, "kairos-autoscaler")
            .getSpec()
            .getTemplate()
            .getMetadata()
            .getLabels();
    assertThat(admitted)
        .hasSize(2)
        .anySatisfy(sel -> assertThat(gatewayPod).containsAllEntriesOf(sel))
        .anySatisfy(sel -> assertThat(autoscalerPod).containsAllEntriesOf(sel))
        // replicas do not admit one another
        .allSatisfy(sel -> assertThat(runtimePod.entrySet().containsAll(sel.entrySet())).isFalse());

    NetworkPolicy autoscaler = one(objects, NetworkPolicy.class, "kairos-autoscaler");
    assertThat(autoscalerPod)
        .containsAllEntriesOf(autoscaler.getSpec().getPodSelector().getMatchLabels());
    assertThat(autoscaler.getSpec().getIngress().get(0).getFrom())
        .singleElement()
        .satisfies(
            peer ->
                assertThat(gatewayPod)
                    .containsAllEntriesOf(peer.getPodSelector().getMatchLabels()));
  }

  @Test
  void shouldGiveGatewaysAndAutoscalersTheSecretReplicasCheck() throws Exception {
    List<HasMetadata> objects = objects(".");
    for (String name : List.of("kairos-gateway", "kairos-autoscaler")) {
      var pod = one(objects, Deployment.class, name).getSpec().getTemplate().getSpec();
      assertThat(pod.getVolumes())
          .as(name)
          .filteredOn(v -> v.getSecret() != null)
          .anySatisfy(
              v -> {
                assertThat(v.getSecret().getSecretName())
                    .isEqualTo(RuntimeObjects.REPLICA_TOKEN_SECRET);
                assertThat(v.getSecret().getOptional()).isNotEqualTo(Boolean.TRUE);
              });
      assertThat(pod.getContainers().get(0).getEnv())
          .as(name)
          .anySatisfy(e -> assertThat(e.getName()).isEqualTo(ReplicaToken.FILE_ENV));
    }
  }

  @Test
  void shouldGiveTheGatewayReadOnlyAccessToModelsAndEndpointSlicesOnly() throws Exception {
    List<PolicyRule> rules = rules(objects("."), "kairos-gateway");

    assertThat(rules)
        .allSatisfy(
            r -> assertThat(r.getVerbs()).containsExactlyInAnyOrder("get", "list", "watch"));
    assertThat(rules)
        .flatExtracting(PolicyRule::getResources)
        .containsExactlyInAnyOrder("models", "endpointslices");
  }

  @Test
  void shouldApplyTheDevAndGpuOverlays() throws Exception {
    assumeTrue(Manifests.kubectlAvailable(), "overlay patches need kubectl kustomize");
    List<HasMetadata> dev = objects("overlays/dev");
    assertThat(one(dev, Deployment.class, "kairos-gateway").getSpec().getReplicas()).isEqualTo(1);
    assertThat(one(dev, Service.class, "kairos-gateway").getSpec().getType()).isEqualTo("NodePort");
    assertThat(one(dev, ConfigMap.class, "kairos-config").getData())
        .containsEntry("KAIROS_RUNTIME_IMAGE", "kairos-runtime:dev");
    List<HasMetadata> gpu = objects("overlays/gpu");
    assertThat(
            one(gpu, DaemonSet.class, "kairos-arbiter")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getNodeSelector())
        .containsExactly(java.util.Map.entry("nvidia.com/gpu.present", "true"));
  }

  @Test
  void shouldAcceptTheExampleModelsAndTheJavaTypesUnderTheCrdSchema() throws Exception {
    JSONSchemaProps schema = modelSchema();
    List<Path> examples;
    try (Stream<Path> s = Files.list(Manifests.root().resolve("examples"))) {
      examples = s.filter(p -> p.toString().endsWith("-model.yaml")).sorted().toList();
    }
    assertThat(examples).hasSizeGreaterThanOrEqualTo(2);
    for (Path p : examples) {
      String yaml = Files.readString(p);
      assertThat(SchemaCheck.errors(YAML.readTree(yaml), schema)).as(p.toString()).isEmpty();
      Model model = SERIALIZATION.unmarshal(yaml, Model.class);
      assertThat(ModelDocument.of(model).versions()).as(p.toString()).isNotEmpty();
    }
    JsonNode fromJava = YAML.readTree(SERIALIZATION.asYaml(Models.mlp("kairos")));
    ((ObjectNode) fromJava).remove("status");
    assertThat(SchemaCheck.errors(fromJava, schema)).isEmpty();
  }

  @Test
  void shouldAcceptTheStatusTheControllerWritesUnderTheCrdSchema() throws Exception {
    Model m = Models.mlp("kairos");
    m.getSpec().setTraffic(java.util.Map.of());
    dev.kairos.kubernetes.crd.ModelStatus status = new dev.kairos.kubernetes.crd.ModelStatus();
    status.setObservedGeneration(3L);
    status.setReplicas(2);
    status.setVersions(
        List.of(
            new dev.kairos.kubernetes.crd.VersionStatus("1", "mlp-v1", "mlp-v1", 2, 1, null),
            new dev.kairos.kubernetes.crd.VersionStatus("2", "mlp-v2", "mlp-v2", 0, 0, 10)));
    status.setConditions(
        List.of(
            new io.fabric8.kubernetes.api.model.ConditionBuilder()
                .withType("Ready")
                .withStatus("False")
                .withReason("ReplicasStarting")
                .withMessage("1 of 2 replicas ready")
                .withLastTransitionTime("2026-11-23T04:00:00Z")
                .build()));
    m.setStatus(status);

    JsonNode written = YAML.readTree(SERIALIZATION.asYaml(m));

    assertThat(SchemaCheck.errors(written, modelSchema())).isEmpty();
  }

  @Test
  void shouldRejectAModelWithAWrongTypeOrAnUnknownField() throws Exception {
    JsonNode bad =
        YAML.readTree(
            "apiVersion: kairos.dev/v1alpha1\nkind: Model\nmetadata: {name: m}\n"
                + "spec:\n  engin: onnxruntime\n  artifact: {uri: 'pvc://models/m'}\n"
                + "  scaling: {minReplicas: two}\n  device: {kind: tpu}\n");

    assertThat(SchemaCheck.errors(bad, modelSchema()))
        .containsExactlyInAnyOrder(
            ".spec.engin: unknown field",
            ".spec.engine: required",
            ".spec.scaling.minReplicas: must be an integer, got \"two\"",
            ".spec.device.kind: \"tpu\" is not one of [\"cpu\", \"gpu\"]");
  }

  private static JSONSchemaProps modelSchema() throws Exception {
    CustomResourceDefinition crd =
        one(objects("."), CustomResourceDefinition.class, "models.kairos.dev");
    assertThat(crd.getSpec().getGroup()).isEqualTo(Model.GROUP);
    assertThat(crd.getSpec().getVersions()).singleElement();
    JSONSchemaProps root = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
    // metadata, apiVersion and kind are the API server's to check
    JSONSchemaProps copy = SERIALIZATION.clone(root);
    copy.getProperties().put("apiVersion", new JSONSchemaProps());
    copy.getProperties().put("kind", new JSONSchemaProps());
    copy.getProperties().put("metadata", new JSONSchemaProps());
    return copy;
  }

  private static List<HasMetadata> objects(String dir) throws Exception {
    List<HasMetadata> out = new ArrayList<>();
    for (String doc : Manifests.render(Manifests.root().resolve(dir).normalize())) {
      out.add(SERIALIZATION.unmarshal(doc));
    }
    return out;
  }

  private static List<PolicyRule> rules(List<HasMetadata> objects, String serviceAccount) {
    List<PolicyRule> out = new ArrayList<>();
    for (RoleBinding b : all(objects, RoleBinding.class)) {
      if (b.getSubjects().stream().anyMatch(s -> serviceAccount.equals(s.getName()))) {
        out.addAll(one(objects, Role.class, b.getRoleRef().getName()).getRules());
      }
    }
    return out;
  }

  private static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private static <T extends HasMetadata> T one(
      List<HasMetadata> objects, Class<T> type, String name) {
    List<T> found =
        all(objects, type).stream().filter(o -> name.equals(o.getMetadata().getName())).toList();
    assertThat(found).as(type.getSimpleName() + " " + name).hasSize(1);
    return found.get(0);
  }
}
