package dev.kairos.kubernetes.autoscale;

import dev.kairos.autoscaler.Autoscaler;
import dev.kairos.autoscaler.scaler.ScaleTarget;
import dev.kairos.kubernetes.reconcile.ModelDocument;
import dev.kairos.kubernetes.reconcile.ModelListener;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Keeps the autoscaler's targets equal to the served Model versions, with each Model's scaling
 * knobs: a new version is registered, a changed spec applies at the next decision, a dropped
 * version or a deleted Model is no longer scaled.
 */
public final class AutoscaledModels implements ModelListener {
  private final Autoscaler autoscaler;
  private final Map<String, Set<ScaleTarget>> byModel = new HashMap<>();

  public AutoscaledModels(Autoscaler autoscaler) {
    this.autoscaler = autoscaler;
  }

  @Override
  public synchronized void served(String model, ModelDocument doc) {
    Set<ScaleTarget> now = new HashSet<>();
    for (String v : doc.versions()) {
      ScaleTarget t = new ScaleTarget(model, v);
      now.add(t);
      if (!autoscaler.setSpec(t, doc.config().scaling())) {
        autoscaler.register(t, doc.config().scaling());
      }
    }
    for (ScaleTarget t : byModel.getOrDefault(model, Set.of())) {
      if (!now.contains(t)) {
        autoscaler.unregister(t);
      }
    }
    byModel.put(model, now);
  }

  @Override
  public synchronized void removed(String model) {
    for (ScaleTarget t : byModel.getOrDefault(model, Set.of())) {
      autoscaler.unregister(t);
    }
    byModel.remove(model);
  }
}
