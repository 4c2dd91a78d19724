package dev.kairos.gateway.route;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/** Every model the gateway routes, by name. Safe to change while requests are routed. */
public final class RouteTable {
  private final ConcurrentHashMap<String, ModelRoute> models = new ConcurrentHashMap<>();

  /** The route of a model, created (in state LOADING) on first use. */
  public ModelRoute model(String name) {
    return models.computeIfAbsent(name, ModelRoute::new);
  }

  /** The route of a model, or null if the gateway does not know it. */
  public ModelRoute find(String name) {
    return models.get(name);
  }

  public ModelRoute remove(String name) {
    return models.remove(name);
  }

  public Collection<ModelRoute> all() {
    return List.copyOf(models.values());
  }
}
