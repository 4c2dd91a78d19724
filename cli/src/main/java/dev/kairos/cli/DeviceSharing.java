package dev.kairos.cli;

import java.util.Locale;

/**
 * How models that placement puts on one device take turns on it ({@code kairos serve
 * --device-sharing}).
 */
enum DeviceSharing {
  /** The device's arbiter grants each batch a slice; on a CPU device it may preempt. */
  ARBITER,
  /**
   * On a CPU device, no arbiter: heavy models' processes run at the lowest CPU priority, so the
   * kernel gives a light model's threads a core as soon as they wake. GPUs still use the arbiter.
   */
  WEIGHTS,
  /** No turn-taking: the models' processes compete for the device (a baseline). */
  OFF;

  static DeviceSharing parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--device-sharing = '" + s + "', must be one of arbiter, weights, off", e);
    }
  }
}
