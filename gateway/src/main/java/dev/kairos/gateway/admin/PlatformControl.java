package dev.kairos.gateway.admin;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * What the admin API asks of the platform that runs the models. The gateway only routes; loading,
 * unloading and scaling are done by whoever owns the replicas (the local platform of {@code kairos
 * serve}, or the Kubernetes wiring), which implements this interface and hands it to {@link
 * AdminServer}.
 *
 * <p>Errors: throw (or complete exceptionally with) {@link AdminException} for a status of your
 * choice, {@link IllegalArgumentException} for a bad value (answered 400 with its message, which
 * should name the field, the value and the rule), anything else is a 500.
 *
 * <p>Threads: {@link AdminServer} calls every method on a worker thread, so they may read files;
 * {@link #load} and {@link #unload} may be called from an event loop too (the deploy endpoint), so
 * they return at once and do their waiting (on replicas to drain, on processes to stop) in the
 * stage they return.
 */
public interface PlatformControl {
  /** Every model the platform knows, loaded or not, sorted by name. */
  List<ModelStatus> models();

  /**
   * One model's status.
   *
   * @throws AdminException 404 if the platform does not know the model
   */
  ModelStatus model(String name);

  /**
   * Loads (or reloads) a model from the model repository and completes when it serves or failed.
   * Completes exceptionally with an {@link AdminException} (404 when the repository has no such
   * model, 409 or 500 when it cannot be loaded).
   */
  CompletionStage<ModelStatus> load(String name);

  /** Stops serving a model: drains its replicas and removes its route. */
  CompletionStage<Void> unload(String name);

  /**
   * Sets a model's traffic split, version → weight (non-negative integers, sum &gt; 0; an empty map
   * sends everything to the highest ready version). Versions must exist.
   *
   * @return the split now in force
   */
  Map<String, Integer> setTraffic(String model, Map<String, Integer> weights);

  /**
   * The scaling knobs of a model as the autoscaler sees them (e.g. {@code minReplicas}, {@code
   * maxReplicas}, {@code targetConcurrency}, {@code scaleToZeroAfter} as "30s"), JSON-friendly
   * values only.
   */
  Map<String, Object> scaling(String model);

  /**
   * Changes some scaling knobs of a model; the knobs not named keep their values. The whole
   * resulting set is validated before anything changes.
   *
   * @return every knob after the change
   * @throws IllegalArgumentException naming the knob, its value and the rule it breaks
   */
  Map<String, Object> setScaling(String model, Map<String, Object> changes);
}
