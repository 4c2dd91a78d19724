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
    this.replicas = new ReplicaDiscovery(client, namespace, routes);
    this.models = new ModelRoutes(client, namespace, routes, replicas::resync);
  }

  /** Starts both watches; returns once the existing Models and slices are applied. */
  public void start() {
    replicas.start();
    models.start();
  }

  @Override
  public void close() {
    models.close();
    replicas.close();
  }
}
