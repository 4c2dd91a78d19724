package dev.kairos.kubernetes.scaler;

import dev.kairos.autoscaler.scaler.ReplicaCount;
import dev.kairos.autoscaler.scaler.ScaleTarget;
import dev.kairos.autoscaler.scaler.Scaler;
import dev.kairos.kubernetes.crd.ModelLabels;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sizes a model version by setting its runtime Deployment's scale subresource. Kubernetes starts
 * and stops the pods; a pod going away is first taken out of its Service's endpoints, which the
 * gateway sees and stops routing to, so scaling down drains.
 */
public final class KubernetesScaler implements Scaler {
  private static final Logger log = LoggerFactory.getLogger(KubernetesScaler.class);

  private final KubernetesClient client;
  private final String namespace;
  private final Executor executor;

  /**
   * @param executor where the blocking API calls run, so the autoscaler's loop is not held up
   */
  public KubernetesScaler(KubernetesClient client, String namespace, Executor executor) {
    this.client = client;
    this.namespace = namespace;
    this.executor = executor;
  }

  @Override
  public CompletionStage<Void> scale(ScaleTarget target, int replicas) {
    if (replicas < 0) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("replicas = " + replicas + ", must be >= 0"));
    }
    String name = ModelLabels.objectName(target.model(), target.version());
    return CompletableFuture.runAsync(
        () -> {
          client.apps().deployments().inNamespace(namespace).withName(name).scale(replicas);
          log.info("model={} version={} scaled to {}", target.model(), target.version(), replicas);
        },
        executor);
  }

  @Override
  public ReplicaCount replicas(ScaleTarget target) {
    String name = ModelLabels.objectName(target.model(), target.version());
    Deployment d = client.apps().deployments().inNamespace(namespace).withName(name).get();
    if (d == null) {
      return new ReplicaCount(0, 0);
    }
    int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    int ready =
        d.getStatus() == null || d.getStatus().getReadyReplicas() == null
            ? 0
            : d.getStatus().getReadyReplicas();
    return new ReplicaCount(desired, ready);
  }
}
