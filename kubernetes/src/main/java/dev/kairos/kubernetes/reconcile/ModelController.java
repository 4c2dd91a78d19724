package dev.kairos.kubernetes.reconcile;

import dev.kairos.kubernetes.crd.Model;
import dev.kairos.kubernetes.crd.ModelLabels;
import dev.kairos.kubernetes.informer.OnAnyChange;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches Models and the Deployments made for them, and reconciles each changed Model on one worker
 * thread. Events for a Model already waiting are merged, so a burst of Deployment status updates
 * costs one reconcile.
 */
public final class ModelController implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ModelController.class);
  private static final long RESYNC_MILLIS = 60_000;

  private final KubernetesClient client;
  private final String namespace;
  private final ModelReconciler reconciler;
  private final Set<String> pending = new LinkedHashSet<>();
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "kairos-model-reconciler");
            t.setDaemon(true);
            return t;
          });
  private SharedIndexInformer<Model> models;
  private SharedIndexInformer<Deployment> deployments;

  public ModelController(KubernetesClient client, String namespace, ModelReconciler reconciler) {
    this.client = client;
    this.namespace = namespace;
    this.reconciler = reconciler;
  }

  /** Starts watching; returns once both informers have listed their objects. */
  public void start() {
    // Informers are assigned before they run: their first events read the caches.
    models = client.resources(Model.class).inNamespace(namespace).runnableInformer(RESYNC_MILLIS);
    models.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(Model m) {
            enqueue(m.getMetadata().getName());
          }

          @Override
          public void onUpdate(Model old, Model m) {
            enqueue(m.getMetadata().getName());
          }

          @Override
          public void onDelete(Model m, boolean unknownFinalState) {
            String name = m.getMetadata().getName();
            submit(() -> safely(name, () -> reconciler.cleanup(namespace, name)));
          }
        });
    deployments =
        client
            .apps()
            .deployments()
            .inNamespace(namespace)
            .withLabel(ModelLabels.MANAGED_BY, ModelLabels.MANAGER)
            .runnableInformer(0);
    deployments.addEventHandler(OnAnyChange.of(this::enqueueOwner));
    models.run();
    deployments.run();
    log.info("watching models in namespace {}", namespace);
  }

  private void enqueueOwner(HasMetadata o) {
    String model = o.getMetadata().getLabels().get(ModelLabels.MODEL);
    if (model != null) {
      enqueue(model);
    }
  }

  private void enqueue(String name) {
    synchronized (pending) {
      if (!pending.add(name)) {
        return;
      }
    }
    submit(
        () -> {
          synchronized (pending) {
            pending.remove(name);
          }
          Model m = models.getStore().getByKey(Cache.namespaceKeyFunc(namespace, name));
          if (m != null) {
            safely(name, () -> reconciler.reconcile(m));
          }
        });
  }

  private void submit(Runnable task) {
    if (worker.isShutdown()) {
      return; // no longer reconciling: the next leader lists everything anew
    }
    try {
      worker.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      log.debug("reconcile dropped, controller stopping");
    }
  }

  private static void safely(String name, Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      // the next event or resync retries; one failure must not stop the loop
      log.warn("model={} reconcile failed: {}", name, e.toString());
    }
  }

  /** Stops reconciling (the watches stay open); waits for a reconcile in progress to finish. */
  public void stopReconciling() {
    worker.shutdown();
    try {
      worker.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Whether the watches have seen every change the API server holds: each cached Model and
   * Deployment at the server's resource version, none missing, none extra.
   */
  public boolean caughtUp() {
    return sameVersions(
            models.getStore().list(),
            client.resources(Model.class).inNamespace(namespace).list().getItems())
        && sameVersions(
            deployments.getStore().list(),
            client
                .apps()
                .deployments()
                .inNamespace(namespace)
                .withLabel(ModelLabels.MANAGED_BY, ModelLabels.MANAGER)
                .list()
                .getItems());
  }

  private static boolean sameVersions(
      java.util.List<? extends HasMetadata> cached, java.util.List<? extends HasMetadata> live) {
    java.util.Map<String, String> a = new java.util.HashMap<>();
    cached.forEach(o -> a.put(o.getMetadata().getName(), o.getMetadata().getResourceVersion()));
    java.util.Map<String, String> b = new java.util.HashMap<>();
    live.forEach(o -> b.put(o.getMetadata().getName(), o.getMetadata().getResourceVersion()));
    return a.equals(b);
  }

  @Override
  public void close() {
    stopReconciling();
    if (models != null) {
      models.close();
    }
    if (deployments != null) {
      deployments.close();
    }
  }
}
