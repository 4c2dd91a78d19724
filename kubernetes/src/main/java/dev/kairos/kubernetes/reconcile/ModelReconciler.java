package dev.kairos.kubernetes.reconcile;

import dev.kairos.kubernetes.crd.Model;
import dev.kairos.kubernetes.crd.ModelLabels;
import dev.kairos.kubernetes.crd.ModelStatus;
import dev.kairos.kubernetes.crd.VersionStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the cluster in line with one Model: its ConfigMap, one Deployment and Service per version
 * (replicas are left to the autoscaler once a Deployment exists), stale versions removed, status
 * written back. Idempotent: an object whose desired form has not changed is not written again, so
 * reconciling on every watch event does not loop.
 */
public final class ModelReconciler {
  public static final String APPLIED_HASH = "kairos.dev/applied-hash";
  public static final String READY = ModelStatus.READY;

  private static final Logger log = LoggerFactory.getLogger(ModelReconciler.class);

  private final KubernetesClient client;
  private final RuntimeObjects objects;
  private final Clock clock;
  private final ModelListener listener;

  public ModelReconciler(KubernetesClient client, ControllerConfig config, Clock clock) {
    this(client, config, clock, ModelListener.NONE);
  }

  public ModelReconciler(
      KubernetesClient client, ControllerConfig config, Clock clock, ModelListener listener) {
    this.client = client;
    this.objects = new RuntimeObjects(config);
    this.clock = clock;
    this.listener = listener;
  }

  /** Reconciles a Model as read from the API server (or an informer's cache). */
  public void reconcile(Model model) {
    String name = model.getMetadata().getName();
    String ns = model.getMetadata().getNamespace();
    ModelDocument doc;
    try {
      doc = ModelDocument.of(model);
    } catch (InvalidModelException e) {
      log.warn("model={} spec is invalid: {}", name, e.getMessage());
      writeStatus(model, invalidStatus(model, e.getMessage()));
      return;
    }
    apply(objects.configMap(model, doc));
    Map<String, Integer> traffic = model.getSpec().getTraffic();
    List<VersionStatus> versions = new ArrayList<>();
    for (String version : doc.versions()) {
      apply(objects.service(model, version));
      Deployment d = applyDeployment(model, doc, version);
      int replicas = d.getSpec().getReplicas() == null ? 0 : d.getSpec().getReplicas();
      int ready =
          d.getStatus() == null || d.getStatus().getReadyReplicas() == null
              ? 0
              : d.getStatus().getReadyReplicas();
      versions.add(
          new VersionStatus(
              version,
              d.getMetadata().getName(),
              ModelLabels.objectName(name, version),
              replicas,
              ready,
              traffic == null || traffic.isEmpty() ? null : traffic.getOrDefault(version, 0)));
    }
    removeStaleVersions(ns, name, Set.copyOf(doc.versions()));
    listener.served(name, doc);
    writeStatus(model, readyStatus(model, versions));
  }

  /**
   * Deletes everything made for a Model. In a cluster the garbage collector does this through the
   * owner references; doing it here as well covers objects that lost theirs and API servers without
   * a collector.
   */
  public void cleanup(String namespace, String name) {
    var selector = Map.of(ModelLabels.MODEL, name, ModelLabels.MANAGED_BY, ModelLabels.MANAGER);
    client.apps().deployments().inNamespace(namespace).withLabels(selector).delete();
    client.services().inNamespace(namespace).withLabels(selector).delete();
    client.configMaps().inNamespace(namespace).withLabels(selector).delete();
    listener.removed(name);
    log.info("model={} deleted, its runtime objects removed", name);
  }

  private Deployment applyDeployment(Model model, ModelDocument doc, String version) {
    String ns = model.getMetadata().getNamespace();
    String objectName = ModelLabels.objectName(model.getMetadata().getName(), version);
    Deployment existing = client.apps().deployments().inNamespace(ns).withName(objectName).get();
    int initial = doc.config().scaling().initialScale();
    int replicas =
        existing == null || existing.getSpec().getReplicas() == null
            ? initial
            : existing.getSpec().getReplicas();
    // The hash ignores replicas: they belong to the autoscaler once the Deployment exists.
    Deployment desired = objects.deployment(model, doc, version, 0);
    String hash = RuntimeObjects.hash(client.getKubernetesSerialization().asJson(desired));
    desired.getSpec().setReplicas(replicas);
    if (existing != null && hash.equals(annotation(existing, APPLIED_HASH))) {
      return existing;
    }
    desired.getMetadata().getAnnotations().put(APPLIED_HASH, hash);
    Deployment written;
    if (existing == null) {
      written = client.apps().deployments().inNamespace(ns).resource(desired).create();
      log.info(
          "model={} version={} deployment {} created with {} replicas",
          model.getMetadata().getName(),
          version,
          objectName,
          replicas);
    } else {
      desired.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
      desired.setStatus(existing.getStatus());
      written = client.apps().deployments().inNamespace(ns).resource(desired).update();
      log.info(
          "model={} version={} deployment {} updated (rolling)",
          model.getMetadata().getName(),
          version,
          objectName);
    }
    return written;
  }

  private <T extends HasMetadata> void apply(T desired) {
    String hash = RuntimeObjects.hash(client.getKubernetesSerialization().asJson(desired));
    desired.getMetadata().getAnnotations().put(APPLIED_HASH, hash);
    Resource<T> resource = client.resource(desired);
    T existing = resource.get();
    if (existing == null) {
      resource.create();
    } else if (!hash.equals(annotation(existing, APPLIED_HASH))) {
      if (desired instanceof Service s && existing instanceof Service e) {
        // clusterIP is immutable and assigned by the server
        s.getSpec().setClusterIP(e.getSpec().getClusterIP());
        s.getSpec().setClusterIPs(e.getSpec().getClusterIPs());
      }
      desired.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
      client.resource(desired).update();
    }
  }

  private void removeStaleVersions(String ns, String name, Set<String> keep) {
    for (Deployment d :
        client
            .apps()
            .deployments()
            .inNamespace(ns)
            .withLabel(ModelLabels.MODEL, name)
            .list()
            .getItems()) {
      String v = d.getMetadata().getLabels().get(ModelLabels.VERSION);
      if (v != null && !keep.contains(v)) {
        client.apps().deployments().inNamespace(ns).withName(d.getMetadata().getName()).delete();
        log.info("model={} version={} no longer served, deployment removed", name, v);
      }
    }
    for (Service s :
        client.services().inNamespace(ns).withLabel(ModelLabels.MODEL, name).list().getItems()) {
      String v = s.getMetadata().getLabels().get(ModelLabels.VERSION);
      if (v != null && !keep.contains(v)) {
        client.services().inNamespace(ns).withName(s.getMetadata().getName()).delete();
      }
    }
  }

  private ModelStatus readyStatus(Model model, List<VersionStatus> versions) {
    ModelStatus s = new ModelStatus();
    s.setObservedGeneration(model.getMetadata().getGeneration());
    s.setVersions(versions);
    int replicas = 0;
    int ready = 0;
    boolean allReady = true;
    for (VersionStatus v : versions) {
      replicas += v.getReplicas();
      ready += v.getReadyReplicas();
      allReady &= v.getReplicas() == 0 || v.getReadyReplicas() > 0;
    }
    s.setReplicas(replicas);
    s.setReadyReplicas(ready);
    String reason;
    String message;
    if (replicas == 0) {
      reason = "ScaledToZero";
      message = "no replicas; the first request starts one";
    } else if (allReady) {
      reason = "ReplicasReady";
      message = ready + " of " + replicas + " replicas ready";
    } else {
      reason = "ReplicasStarting";
      message = ready + " of " + replicas + " replicas ready";
    }
    s.setConditions(List.of(condition(model, allReady || replicas == 0, reason, message)));
    return s;
  }

  private ModelStatus invalidStatus(Model model, String message) {
    ModelStatus s = new ModelStatus();
    s.setObservedGeneration(model.getMetadata().getGeneration());
    if (model.getStatus() != null) {
      s.setVersions(model.getStatus().getVersions());
      s.setReplicas(model.getStatus().getReplicas());
      s.setReadyReplicas(model.getStatus().getReadyReplicas());
    }
    s.setConditions(List.of(condition(model, false, "InvalidSpec", message)));
    return s;
  }

  private Condition condition(Model model, boolean ok, String reason, String message) {
    String status = ok ? "True" : "False";
    Condition previous = model.getStatus() == null ? null : model.getStatus().condition(READY);
    String since =
        previous != null && status.equals(previous.getStatus())
            ? previous.getLastTransitionTime()
            : clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    return new ConditionBuilder()
        .withType(READY)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withObservedGeneration(model.getMetadata().getGeneration())
        .withLastTransitionTime(since)
        .build();
  }

  private void writeStatus(Model model, ModelStatus status) {
    if (Objects.equals(model.getStatus(), status)) {
      return;
    }
    String ns = model.getMetadata().getNamespace();
    String name = model.getMetadata().getName();
    Model latest = client.resources(Model.class).inNamespace(ns).withName(name).get();
    if (latest == null) {
      return;
    }
    if (Objects.equals(latest.getStatus(), status)) {
      return;
    }
    latest.setStatus(status);
    try {
      client.resources(Model.class).inNamespace(ns).resource(latest).updateStatus();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      // a newer Model arrived meanwhile; its own event reconciles again
      log.debug("model={} status write lost a race, retried on the next event", name);
    }
  }

  private static String annotation(HasMetadata o, String key) {
    Map<String, String> a = o.getMetadata().getAnnotations();
    return a == null ? null : new HashMap<>(a).get(key);
  }
}
