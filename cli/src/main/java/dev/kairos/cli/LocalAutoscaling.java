package dev.kairos.cli;

import dev.kairos.autoscaler.Autoscaler;
import dev.kairos.autoscaler.scaler.ReplicaCount;
import dev.kairos.autoscaler.scaler.ScaleTarget;
import dev.kairos.gateway.activator.Activator;
import dev.kairos.gateway.activator.ActivatorOptions;
import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.ReplicaSet;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelVersion;
import dev.kairos.sdk.model.ScalingConfig;
import dev.kairos.sdk.time.Clock;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Connects the gateway to the autoscaler in local mode: the gateway's in-flight and held requests
 * are the concurrency the autoscaler samples, the activator's demand at zero pokes it, and a {@link
 * LocalScaler} acts on its decisions. Every model version is a scale target with the knobs of its
 * {@code model.yaml}, which can be changed at run time.
 */
final class LocalAutoscaling implements AutoCloseable {
  private final LocalPlatform platform;
  private final Activator activator;
  private final Autoscaler autoscaler;
  private final LocalScaler scaler;
  private final LivenessProbe liveness;
  private final ScheduledExecutorService executor;
  private final Duration sampleEvery;
  private final Duration tickEvery;
  // the replicas measure their in-flight time on System.nanoTime
  private final MeanConcurrency meanConcurrency = new MeanConcurrency(System::nanoTime);

  LocalAutoscaling(
      Vertx vertx,
      LocalPlatform platform,
      ActivatorOptions activatorOptions,
      Duration sampleEvery,
      Duration tickEvery) {
    this.platform = platform;
    this.sampleEvery = sampleEvery;
    this.tickEvery = tickEvery;
    this.executor =
        Executors.newScheduledThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "kairos-autoscaler");
              t.setDaemon(true);
              return t;
            });
    this.activator = new Activator(vertx, platform.routes(), activatorOptions, this::demand);
    Clock clock = Clock.system();
    this.scaler = new LocalScaler(platform, clock, executor, Duration.ofSeconds(30));
    this.liveness = new LivenessProbe(platform, executor, LivenessProbe.Options.defaults(), clock);
    this.autoscaler = new Autoscaler(scaler, this::concurrency, clock);
  }

  /** Replicas of a model version, ready or starting, as the scaler counts them. */
  int replicas(String model, String version) {
    return scaler.replicas(new ScaleTarget(model, version)).desired();
  }

  /** What the supervisor knows of every autoscaled model version, by model then version. */
  Map<ScaleTarget, LocalScaler.Supervision> supervision() {
    Map<ScaleTarget, LocalScaler.Supervision> out =
        new java.util.TreeMap<>(
            java.util.Comparator.comparing(ScaleTarget::model).thenComparing(ScaleTarget::version));
    for (ScaleTarget t : autoscaler.targets()) {
      out.put(t, scaler.supervision(t));
    }
    return out;
  }

  /** Replicas of a target, ready and desired, as the scaler counts them. */
  ReplicaCount count(ScaleTarget target) {
    return scaler.replicas(target);
  }

  Activator activator() {
    return activator;
  }

  Autoscaler autoscaler() {
    return autoscaler;
  }

  /** Autoscales every loaded model version and starts sampling and deciding. */
  void start() {
    for (ModelDirectory dir : platform.models().values()) {
      register(dir);
    }
    autoscaler.start(executor, sampleEvery, tickEvery);
    liveness.start();
  }

  /** Autoscales the versions of one (newly loaded) model with its {@code model.yaml} knobs. */
  void register(ModelDirectory dir) {
    for (ModelVersion v : dir.versions()) {
      autoscaler.register(new ScaleTarget(dir.name(), v.version()), dir.config().scaling());
    }
  }

  /** Stops autoscaling a model's versions. */
  void unregister(String model) {
    for (ScaleTarget t : autoscaler.targets()) {
      if (t.model().equals(model)) {
        autoscaler.unregister(t);
      }
    }
  }

  /** The knobs of a model (its versions share them). */
  ScalingConfig spec(String model) {
    for (ScaleTarget t : autoscaler.targets()) {
      if (t.model().equals(model)) {
        return autoscaler.spec(t).orElseThrow();
      }
    }
    return null;
  }

  /** Applies knobs to every version of a model. */
  void setSpec(String model, ScalingConfig spec) {
    for (ScaleTarget t : autoscaler.targets()) {
      if (t.model().equals(model)) {
        autoscaler.setSpec(t, spec);
      }
    }
  }

  private void demand(String model, String version, int held) {
    String v = version != null ? version : versionForHeld(model);
    platform.waiting().held(model);
    if (v != null) {
      // off the event loop: scaling up starts a process
      executor.execute(() -> autoscaler.demand(new ScaleTarget(model, v)));
    }
  }

  /**
   * The mean in-flight requests of the version's replicas since the previous sample, plus the
   * requests held for it at zero now.
   */
  double concurrency(ScaleTarget target) {
    ModelRoute route = platform.routes().find(target.model());
    if (route == null) {
      return 0;
    }
    ReplicaSet set = route.existingVersion(target.version());
    double inFlight = set == null ? 0 : meanConcurrency.since(target, set);
    int held = activator.held(target.model());
    return held > 0 && target.version().equals(versionForHeld(target.model()))
        ? inFlight + held
        : inFlight;
  }

  /**
   * The version a request that names none will go to once replicas exist: the heaviest traffic
   * weight, else the highest version.
   */
  private String versionForHeld(String model) {
    ModelRoute route = platform.routes().find(model);
    if (route == null) {
      return null;
    }
    Map<String, Integer> traffic = route.traffic();
    if (!traffic.isEmpty()) {
      return traffic.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }
    List<String> versions = route.versionNames();
    return versions.isEmpty() ? null : versions.get(versions.size() - 1);
  }

  @Override
  public void close() {
    liveness.close();
    autoscaler.close();
    activator.close();
    executor.shutdownNow();
  }
}
