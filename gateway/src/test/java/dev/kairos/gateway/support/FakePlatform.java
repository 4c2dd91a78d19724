package dev.kairos.gateway.support;

import dev.kairos.gateway.admin.AdminException;
import dev.kairos.gateway.admin.ModelStatus;
import dev.kairos.gateway.admin.PlatformControl;
import dev.kairos.gateway.route.RouteTable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A platform in memory: models appear in the route table when loaded. */
public final class FakePlatform implements PlatformControl {
  private final RouteTable routes;
  private final Map<String, List<String>> repository = new TreeMap<>();
  private final Map<String, ModelStatus.State> states = new TreeMap<>();
  private final Map<String, Map<String, Object>> scaling = new TreeMap<>();

  public FakePlatform(RouteTable routes) {
    this.routes = routes;
  }

  public FakePlatform addToRepository(String model, String... versions) {
    repository.put(model, List.of(versions));
    states.put(model, ModelStatus.State.UNAVAILABLE);
    Map<String, Object> knobs = new LinkedHashMap<>();
    knobs.put("minReplicas", 0);
    knobs.put("maxReplicas", 4);
    scaling.put(model, knobs);
    return this;
  }

  private volatile java.util.concurrent.CountDownLatch listing;

  /**
   * Listing models waits until {@code gate} opens, as a listing of a repository on a slow disk
   * would.
   */
  public FakePlatform slowListing(java.util.concurrent.CountDownLatch gate) {
    listing = gate;
    return this;
  }

  @Override
  public List<ModelStatus> models() {
    java.util.concurrent.CountDownLatch gate = listing;
    if (gate != null) {
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return listed();
  }

  private synchronized List<ModelStatus> listed() {
    List<ModelStatus> out = new ArrayList<>();
    for (String m : repository.keySet()) {
      out.add(model(m));
    }
    return out;
  }

  @Override
  public synchronized ModelStatus model(String name) {
    List<String> versions = repository.get(name);
    if (versions == null) {
      throw AdminException.notFound("unknown model '" + name + "'");
    }
    var route = routes.find(name);
    return new ModelStatus(
        name,
        states.get(name),
        null,
        versions,
        route == null ? Map.of() : route.traffic(),
        Map.of());
  }

  @Override
  public synchronized CompletionStage<ModelStatus> load(String name) {
    if (!repository.containsKey(name)) {
      return CompletableFuture.failedFuture(
          AdminException.notFound("no model '" + name + "' in the repository"));
    }
    routes.model(name).markReady();
    states.put(name, ModelStatus.State.READY);
    return CompletableFuture.completedFuture(model(name));
  }

  @Override
  public synchronized CompletionStage<Void> unload(String name) {
    if (!repository.containsKey(name)) {
      return CompletableFuture.failedFuture(
          AdminException.notFound("unknown model '" + name + "'"));
    }
    routes.remove(name);
    states.put(name, ModelStatus.State.UNAVAILABLE);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public synchronized Map<String, Integer> setTraffic(String model, Map<String, Integer> weights) {
    model(model);
    for (String v : weights.keySet()) {
      if (!repository.get(model).contains(v)) {
        throw new IllegalArgumentException("model '" + model + "' has no version '" + v + "'");
      }
    }
    routes.model(model).setTraffic(weights);
    return routes.model(model).traffic();
  }

  @Override
  public synchronized Map<String, Object> scaling(String model) {
    model(model);
    return Map.copyOf(scaling.get(model));
  }

  @Override
  public synchronized Map<String, Object> setScaling(String model, Map<String, Object> changes) {
    model(model);
    Map<String, Object> next = new LinkedHashMap<>(scaling.get(model));
    for (Map.Entry<String, Object> e : changes.entrySet()) {
      if (!next.containsKey(e.getKey())) {
        throw new IllegalArgumentException("unknown scaling knob '" + e.getKey() + "'");
      }
      next.put(e.getKey(), e.getValue());
    }
    if (((Number) next.get("minReplicas")).intValue()
        > ((Number) next.get("maxReplicas")).intValue()) {
      throw new IllegalArgumentException(
          "minReplicas = " + next.get("minReplicas") + ", must be <= maxReplicas");
    }
    scaling.put(model, next);
    return Map.copyOf(next);
  }
}
