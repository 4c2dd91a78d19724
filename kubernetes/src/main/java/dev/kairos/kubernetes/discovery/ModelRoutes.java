package dev.kairos.kubernetes.discovery;

import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.kubernetes.crd.Model;
import dev.kairos.kubernetes.crd.ModelStatus;
import dev.kairos.kubernetes.reconcile.InvalidModelException;
import dev.kairos.kubernetes.reconcile.ModelDocument;
import dev.kairos.kubernetes.reconcile.RuntimeObjects;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the gateway's routes equal to the Models: a Model's versions and traffic weights become its
 * route; a Model the controller found invalid is answered with its reason; a deleted Model is no
 * longer routed. It also knows, from each Model's batching, how many requests one of its replicas
 * admits at once, so that the gateway refuses what a replica would refuse before sending it.
 */
public final class ModelRoutes implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ModelRoutes.class);

  private final KubernetesClient client;
  private final String namespace;
  private final RouteTable routes;
  private final Consumer<String> routed;
  private final Map<String, Integer> capacities = new ConcurrentHashMap<>();
  private SharedIndexInformer<Model> models;

  /**
   * @param routed told the name of each model that starts being routed (to fill its replica sets)
   */
  public ModelRoutes(
      KubernetesClient client, String namespace, RouteTable routes, Consumer<String> routed) {
    this.client = client;
    this.namespace = namespace;
    this.routes = routes;
    this.routed = routed;
  }

  /** Starts watching; returns once the existing Models are listed and applied. */
  public void start() {
    models = client.resources(Model.class).inNamespace(namespace).runnableInformer(0);
    models.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(Model m) {
            apply(m);
          }

          @Override
          public void onUpdate(Model old, Model m) {
            apply(m);
          }

          @Override
          public void onDelete(Model m, boolean unknownFinalState) {
            routes.remove(m.getMetadata().getName());
            capacities.remove(m.getMetadata().getName());
            log.info("model={} deleted, no longer routed", m.getMetadata().getName());
          }
        });
    models.run();
  }

  private void apply(Model m) {
    String name = m.getMetadata().getName();
    boolean known = routes.find(name) != null;
    capacities.put(name, capacity(m));
    ModelRoute route = routes.model(name);
    route.setGenerative(generative(m));
    if (m.getSpec() != null) {
      for (String v : m.getSpec().getVersions()) {
        route.version(v);
      }
      Map<String, Integer> traffic = m.getSpec().getTraffic();
      try {
        route.setTraffic(traffic == null ? Map.of() : traffic);
      } catch (IllegalArgumentException e) {
        route.markFailed("Model " + name + ": spec.traffic " + e.getMessage());
        return;
      }
    }
    Condition ready = m.getStatus() == null ? null : m.getStatus().condition(ModelStatus.READY);
    if (ready != null && "InvalidSpec".equals(ready.getReason())) {
      route.markFailed(ready.getMessage());
      log.info("model={} is invalid, answered with its reason", name);
    } else if (route.state() != ModelRoute.State.READY) {
      route.markReady();
      log.info("model={} routed, traffic {}", name, route.traffic());
    }
    if (!known) {
      routed.accept(name);
    }
  }

  /**
   * The most requests one replica of the model admits at once (its runtime's admission limit, for
   * the workers its pods run); 0 when not known, which leaves its replicas unbounded here. Replicas
   * take the capacity of when they joined routing: a change of batching rolls the pods.
   */
  public int replicaCapacity(String model) {
    return capacities.getOrDefault(model, 0);
  }

  private static int capacity(Model m) {
    try {
      return ModelDocument.of(m).config().batching().admissionLimit(RuntimeObjects.WORKERS);
    } catch (InvalidModelException e) {
      return 0; // answered with its reason; no replicas of it are routed to
    }
  }

  /** Whether the model generates text, so the gateway lists it at {@code GET /v1/models}. */
  private static boolean generative(Model m) {
    try {
      return ModelDocument.of(m).config().isGenerative();
    } catch (InvalidModelException e) {
      return false;
    }
  }

  @Override
  public void close() {
    if (models != null) {
      models.close();
    }
  }
}
