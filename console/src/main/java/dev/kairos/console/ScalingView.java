package dev.kairos.console;

import java.util.Map;

/** What the autoscaler has and wants for each model, now. */
@FunctionalInterface
public interface ScalingView {
  /** By model name; models not autoscaled are absent. */
  Map<String, ModelScaling> scaling();

  /**
   * One model, its versions summed.
   *
   * @param concurrency what the autoscaler samples: in-flight plus requests held at zero
   * @param desired replicas wanted (ready or starting)
   * @param ready replicas serving
   * @param target concurrency per replica aimed at (target × utilisation)
   */
  record ModelScaling(double concurrency, int desired, int ready, double target) {}
}
