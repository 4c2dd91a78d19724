package dev.kairos.cli;

import dev.kairos.cli.deploy.BundleInstaller;
import dev.kairos.gateway.admin.AdminException;
import dev.kairos.gateway.admin.ModelStatus;
import dev.kairos.gateway.admin.PlatformControl;
import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelVersion;
import dev.kairos.sdk.model.ModelConfigException;
import dev.kairos.sdk.model.ScalingConfig;
import dev.kairos.sdk.model.ScalingKnobs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The admin API's view of local mode: models from the repository on disk, replicas as child
 * processes, scaling knobs applied by the autoscaler at its next decision and traffic weights
 * applied at once, both written into the model's {@code model.yaml} first (atomically), so a
 * restart or a reload keeps them.
 */
final class LocalPlatformControl implements PlatformControl {
  private final LocalPlatform platform;
  private final LocalAutoscaling autoscaling;
  private final ModelYamlStore store;
  private final Executor work;

  /** Where changed knobs and weights are kept so that a restart keeps them. */
  interface ModelYamlStore {
    /**
     * @param dir the model's folder in the repository
     * @param changed the knobs the caller set, with their new values
     * @param next every knob after the change
     */
    void saveScaling(Path dir, Map<String, Object> changed, ScalingConfig next) throws IOException;

    /**
     * @param dir the model's folder in the repository
     * @param weights the new split, version → weight
     * @throws ModelConfigException when {@code model.yaml}'s rules refuse the split
     */
    void saveTraffic(Path dir, Map<String, Integer> weights) throws IOException;
  }

  /** The store that writes through the repository's installer (atomic, under its lock). */
  static ModelYamlStore store(BundleInstaller installer) {
    return new ModelYamlStore() {
      @Override
      public void saveScaling(Path dir, Map<String, Object> changed, ScalingConfig next)
          throws IOException {
        installer.writeScaling(dir, changed, next);
      }

      @Override
      public void saveTraffic(Path dir, Map<String, Integer> weights) throws IOException {
        installer.writeTraffic(dir, weights);
      }
    };
  }

  /**
   * @param work where reads of the repository and loads run, off the caller's thread (an event
   *     loop, for the deploy endpoint)
   */
  LocalPlatformControl(
      LocalPlatform platform, LocalAutoscaling autoscaling, ModelYamlStore store, Executor work) {
    this.work = work;
    this.platform = platform;
    this.autoscaling = autoscaling;
    this.store = store;
  }

  @Override
  public List<ModelStatus> models() {
    Map<String, ModelStatus> out = new TreeMap<>();
    for (ModelDirectory dir : platform.repository().scan()) {
      out.put(dir.name(), status(dir.name(), dir));
    }
    for (ModelRoute r : platform.routes().all()) {
      out.computeIfAbsent(r.name(), n -> status(n, null));
    }
    return new ArrayList<>(out.values());
  }

  @Override
  public ModelStatus model(String name) {
    ModelDirectory dir = find(name);
    if (dir == null && platform.routes().find(name) == null) {
      throw AdminException.notFound("unknown model '" + name + "'");
    }
    return status(name, dir);
  }

  private ModelStatus status(String name, ModelDirectory dir) {
    ModelRoute route = platform.routes().find(name);
    List<String> versions =
        dir != null && dir.ok()
            ? dir.versions().stream().map(ModelVersion::version).toList()
            : route == null ? List.of() : route.versionNames();
    if (route == null) {
      String why = dir != null && !dir.ok() ? dir.error() : null;
      return new ModelStatus(
          name,
          why == null ? ModelStatus.State.UNAVAILABLE : ModelStatus.State.FAILED,
          why,
          versions,
          Map.of(),
          Map.of());
    }
    Map<String, Integer> replicas = new LinkedHashMap<>();
    for (String v : route.versionNames()) {
      replicas.put(v, autoscaling.replicas(name, v));
    }
    ModelStatus.State state =
        switch (route.state()) {
          case LOADING -> ModelStatus.State.LOADING;
          case READY -> ModelStatus.State.READY;
          case FAILED -> ModelStatus.State.FAILED;
        };
    return new ModelStatus(name, state, route.reason(), versions, route.traffic(), replicas);
  }

  private ModelDirectory find(String name) {
    return platform.repository().scan().stream()
        .filter(d -> d.name().equals(name))
        .findFirst()
        .orElse(null);
  }

  @Override
  public CompletionStage<ModelStatus> load(String name) {
    // Off the caller's thread from the first step: finding the model reads the repository, and a
    // reload waits for the old replicas to drain and stop.
    return CompletableFuture.supplyAsync(() -> find(name), work)
        .thenCompose(
            dir -> {
              if (dir == null) {
                throw AdminException.notFound("the model repository has no model '" + name + "'");
              }
              CompletableFuture<Void> before = CompletableFuture.completedFuture(null);
              if (platform.routes().find(name) != null) {
                autoscaling.unregister(name);
                before = platform.unload(name, 30_000);
              }
              return before
                  .thenComposeAsync(x -> platform.load(dir), work)
                  .thenApply(
                      serving -> {
                        if (!serving) {
                          ModelRoute r = platform.routes().find(name);
                          throw AdminException.conflict(
                              "model '"
                                  + name
                                  + "' could not be loaded: "
                                  + (r == null ? "" : r.reason()));
                        }
                        autoscaling.register(dir);
                        return status(name, dir);
                      });
            });
  }

  @Override
  public CompletionStage<Void> unload(String name) {
    if (platform.routes().find(name) == null) {
      return CompletableFuture.failedFuture(
          AdminException.notFound("model '" + name + "' is not loaded"));
    }
    autoscaling.unregister(name);
    return platform.unload(name, 30_000);
  }

  @Override
  public Map<String, Integer> setTraffic(String model, Map<String, Integer> weights) {
    ModelRoute route = loaded(model);
    for (String v : weights.keySet()) {
      if (route.existingVersion(v) == null) {
        throw new IllegalArgumentException(
            "traffic names version '"
                + v
                + "', but model '"
                + model
                + "' has versions "
                + route.versionNames());
      }
    }
    ModelDirectory dir = find(model);
    if (dir == null) {
      throw AdminException.conflict("model '" + model + "' is not in the model repository");
    }
    try {
      store.saveTraffic(dir.dir(), weights);
    } catch (ModelConfigException e) {
      // the rules of model.yaml, so that what is served is what a restart reads
      throw AdminException.badRequest(
          "traffic of model '" + model + "' not changed: " + e.getMessage());
    } catch (IOException | RuntimeException e) {
      throw new AdminException(
          500,
          "traffic of model '" + model + "' not changed: model.yaml could not be written: " + e);
    }
    route.setTraffic(weights);
    return route.traffic();
  }

  @Override
  public Map<String, Object> scaling(String model) {
    return spec(model).knobs();
  }

  @Override
  public Map<String, Object> setScaling(String model, Map<String, Object> changes) {
    ScalingConfig next = ScalingKnobs.apply(spec(model), changes);
    Map<String, Object> changed = new LinkedHashMap<>();
    for (String k : changes.keySet()) {
      changed.put(k, next.knobs().get(k));
    }
    ModelDirectory dir = find(model);
    if (dir == null) {
      throw AdminException.conflict("model '" + model + "' is not in the model repository");
    }
    try {
      store.saveScaling(dir.dir(), changed, next);
    } catch (IOException | RuntimeException e) {
      throw new AdminException(
          500,
          "scaling of model '" + model + "' not changed: model.yaml could not be written: " + e);
    }
    autoscaling.setSpec(model, next);
    return next.knobs();
  }

  private ScalingConfig spec(String model) {
    loaded(model);
    ScalingConfig s = autoscaling.spec(model);
    if (s == null) {
      throw AdminException.notFound("model '" + model + "' is not autoscaled");
    }
    return s;
  }

  private ModelRoute loaded(String model) {
    ModelRoute route = platform.routes().find(model);
    if (route == null) {
      throw AdminException.notFound("model '" + model + "' is not loaded");
    }
    return route;
  }
}
