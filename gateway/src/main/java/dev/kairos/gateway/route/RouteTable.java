package dev.kairos.gateway.route;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Every model the gateway routes, by name. Safe to change while requests are routed. */
public final class RouteTable {
  private final ConcurrentHashMap<String, ModelRoute> models = new ConcurrentHashMap<>();
  private final List<Consumer<String>> changeListeners = new CopyOnWriteArrayList<>();

  /**
   * Tells {@code listener} the model's name, on the changing thread, whenever a replica joins one
   * of its versions or the model leaves the table: the moments a request waiting for the model may
   * go on (the activator's release).
   */
  public void onRoutingChange(Consumer<String> listener) {
    changeListeners.add(listener);
  }

  /** The route of a model, created (in state LOADING) on first use. */
  public ModelRoute model(String name) {
    return models.computeIfAbsent(name, n -> new ModelRoute(n, () -> changed(n)));
  }

  private void changed(String model) {
    for (Consumer<String> l : changeListeners) {
      l.accept(model);
    }
  }

  /** The route of a model, or null if the gateway does not know it. */
  public ModelRoute find(String name) {
    return models.get(name);
  }

  /**
   * Takes the model out of routing; requests waiting for it are told ({@link #onRoutingChange}).
   */
  public ModelRoute remove(String name) {
    ModelRoute removed = models.remove(name);
    if (removed != null) {
      changed(name);
    }
    return removed;
  }

  public Collection<ModelRoute> all() {
    return List.copyOf(models.values());
  }
}
