package dev.kairos.kubernetes.discovery;

import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.route.ReplicaSet;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.kubernetes.crd.ModelLabels;
import dev.kairos.kubernetes.informer.OnAnyChange;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the gateway's replica sets equal to the ready endpoints of each model version's Service.
 * The EndpointSlice controller copies the Service's {@code kairos.dev/model} and {@code
 * kairos.dev/version} labels onto its slices; a version's replicas are the ready endpoints over all
 * of its slices. A pod that stops being ready, or starts terminating, leaves routing at once;
 * requests already sent to it finish.
 */
public final class ReplicaDiscovery implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReplicaDiscovery.class);

  private final KubernetesClient client;
  private final String namespace;
  private final RouteTable routes;
  private final ToIntFunction<String> capacity;
  private SharedIndexInformer<EndpointSlice> slices;

  /**
   * @param capacity how many requests one replica of a model admits at once (0: not known)
   */
  public ReplicaDiscovery(
      KubernetesClient client,
      String namespace,
      RouteTable routes,
      ToIntFunction<String> capacity) {
    this.client = client;
    this.namespace = namespace;
    this.routes = routes;
    this.capacity = capacity;
  }

  /** Starts watching; returns once the existing slices are listed and applied. */
  public void start() {
    // Assigned before it runs: its first events read the cache.
    slices =
        client
            .discovery()
            .v1()
            .endpointSlices()
            .inNamespace(namespace)
            .withLabel(ModelLabels.MODEL)
            .runnableInformer(0);
    slices.addEventHandler(OnAnyChange.of(this::sync));
    slices.run();
  }

  private void sync(EndpointSlice changed) {
    Map<String, String> labels = changed.getMetadata().getLabels();
    String model = labels.get(ModelLabels.MODEL);
    String version = labels.get(ModelLabels.VERSION);
    if (model != null && version != null) {
      sync(model, version);
    }
  }

  /**
   * Brings every version of a model up to date from the slices seen so far; called when the model
   * starts being routed, since slices that arrived before it were set aside.
   */
  public synchronized void resync(String model) {
    if (slices == null) {
      return;
    }
    Set<String> versions = new HashSet<>();
    for (EndpointSlice s : slices.getStore().list()) {
      Map<String, String> l = s.getMetadata().getLabels();
      if (model.equals(l.get(ModelLabels.MODEL)) && l.get(ModelLabels.VERSION) != null) {
        versions.add(l.get(ModelLabels.VERSION));
      }
    }
    versions.forEach(v -> sync(model, v));
  }

  private synchronized void sync(String model, String version) {
    ModelRoute route = routes.find(model);
    if (route == null) {
      // not (or no longer) a Model: routing it would hold the gateway's readiness
      return;
    }
    Map<String, Replica> wanted = new LinkedHashMap<>();
    int replicaCapacity = capacity.applyAsInt(model);
    for (EndpointSlice s : slices.getStore().list()) {
      Map<String, String> l = s.getMetadata().getLabels();
      if (model.equals(l.get(ModelLabels.MODEL)) && version.equals(l.get(ModelLabels.VERSION))) {
        readyEndpoints(s, replicaCapacity, wanted);
      }
    }
    ReplicaSet set = route.version(version);
    Set<String> present = new HashSet<>();
    for (Replica r : set.all()) {
      if (!wanted.containsKey(r.id())) {
        set.remove(r.id());
        log.info("model={} version={} replica {} left routing", model, version, r);
      } else {
        present.add(r.id());
      }
    }
    for (Replica r : wanted.values()) {
      if (!present.contains(r.id())) {
        set.add(r);
        log.info("model={} version={} replica {} joined routing", model, version, r);
      }
    }
  }

  private static void readyEndpoints(EndpointSlice s, int capacity, Map<String, Replica> into) {
    Integer port = port(s.getPorts());
    if (port == null || s.getEndpoints() == null) {
      return;
    }
    for (Endpoint e : s.getEndpoints()) {
      // a missing "ready" means unknown, which consumers treat as ready
      boolean ready =
          e.getConditions() == null || !Boolean.FALSE.equals(e.getConditions().getReady());
      boolean terminating =
          e.getConditions() != null && Boolean.TRUE.equals(e.getConditions().getTerminating());
      if (!ready || terminating || e.getAddresses() == null || e.getAddresses().isEmpty()) {
        continue;
      }
      String host = e.getAddresses().get(0);
      String id = host + ":" + port;
      into.put(id, new Replica(id, host, port, capacity));
    }
  }

  private static Integer port(List<EndpointPort> ports) {
    if (ports == null || ports.isEmpty()) {
      return null;
    }
    for (EndpointPort p : ports) {
      if ("http".equals(p.getName())) {
        return p.getPort();
      }
    }
    return ports.get(0).getPort();
  }

  @Override
  public void close() {
    if (slices != null) {
      slices.close();
    }
  }
}
