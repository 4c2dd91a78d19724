package dev.kairos.multiplexer.placement;

import dev.kairos.multiplexer.profile.ModelProfile;

/**
 * A model to place: what it costs, how much traffic it gets, how fast it must answer.
 *
 * @param name the model
 * @param profile its measured costs on the device kind being placed on
 * @param ratePerSecond expected request rate, >= 0
 * @param sloNanos latency target for 99% of requests (queueing + batching + compute), > 0
 * @param workloadClass light or heavy
 */
public record ModelDemand(
    String name,
    ModelProfile profile,
    double ratePerSecond,
    long sloNanos,
    WorkloadClass workloadClass) {
  public ModelDemand {
    if (ratePerSecond < 0 || Double.isNaN(ratePerSecond)) {
      throw new IllegalArgumentException(
          "model '" + name + "': ratePerSecond = " + ratePerSecond + ", must be >= 0");
    }
    if (sloNanos <= 0) {
      throw new IllegalArgumentException(
          "model '" + name + "': sloNanos = " + sloNanos + ", must be > 0");
    }
  }

  public long memoryBytes() {
    return profile.memoryBytes();
  }

  public boolean isLight() {
    return workloadClass == WorkloadClass.LIGHT;
  }
}
