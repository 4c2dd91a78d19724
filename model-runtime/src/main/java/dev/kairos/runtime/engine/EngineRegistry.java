package dev.kairos.runtime.engine;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeSet;

/** The engines on the class path, by name. */
public final class EngineRegistry {
  private final Map<String, Engine> engines;

  private EngineRegistry(Map<String, Engine> engines) {
    this.engines = Map.copyOf(engines);
  }

  /** Every engine registered through {@code META-INF/services/dev.kairos.runtime.engine.Engine}. */
  public static EngineRegistry discover() {
    Map<String, Engine> found = new LinkedHashMap<>();
    for (Engine e : ServiceLoader.load(Engine.class)) {
      found.putIfAbsent(e.name(), e);
    }
    return new EngineRegistry(found);
  }

  /** Exactly these engines (an engine wrapped to observe it, in a test). */
  public static EngineRegistry of(Engine... engines) {
    Map<String, Engine> found = new LinkedHashMap<>();
    for (Engine e : engines) {
      found.putIfAbsent(e.name(), e);
    }
    return new EngineRegistry(found);
  }

  /**
   * @throws ModelLoadException naming the engines that are available
   */
  public Engine get(String name) {
    Engine e = engines.get(name);
    if (e == null) {
      throw new ModelLoadException(
          "engine '" + name + "' is not available; available: " + new TreeSet<>(engines.keySet()));
    }
    return e;
  }
}
