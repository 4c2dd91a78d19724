package dev.kairos.kubernetes.discovery;

import dev.kairos.gateway.route.RouteTable;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * What a gateway pod learns from the cluster: routes from Models, replicas from EndpointSlices.
 * Kubernetes is the membership service; the gateway keeps no state of its own.
 */
public final class GatewayDiscovery implements AutoCloseable {
  private final ReplicaDiscovery replicas;
  private final ModelRoutes models;

  public GatewayDiscovery(KubernetesClient client, String namespace, RouteTable routes) {
    // replicas join routing bounded at what the Model's batching lets one admit
    this.replicas = new ReplicaDiscovery(client, namespace, routes, this::replicaCapacity);
    this.models = new ModelRoutes(client, namespace, routes, replicas::resync);
  }

  /** Starts both watches; returns once the existing Models and slices are applied. */
  public void start() {
    replicas.start();
    models.start();
  }

  /** How many requests one replica of the model admits at once; 0 when not known. */
  public int replicaCapacity(String model) {
    return models.replicaCapacity(model);
  }

  @Override
  public void close() {
    models.close();
    replicas.close();
  }
}
