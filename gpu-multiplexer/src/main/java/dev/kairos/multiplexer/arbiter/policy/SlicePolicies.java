package dev.kairos.multiplexer.arbiter.policy;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The policies by name, with the defaults Kairos runs them with. */
public final class SlicePolicies {
  /** The priority a light (latency-sensitive) model's runtime asks with. */
  public static final int LIGHT_PRIORITY = 10;

  /** The priority a heavy (compute-bound) model's runtime asks with. */
  public static final int HEAVY_PRIORITY = 0;

  /** Default cap advised to heavy batches under the deadline-aware policy. */
  public static final long DEFAULT_HEAVY_SLICE_CAP_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  /** Default wait after which any slice goes first under the deadline-aware policy. */
  public static final long DEFAULT_STARVATION_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  private SlicePolicies() {}

  /** The priority for a model.yaml {@code device.class}: {@code light} or {@code heavy}. */
  public static int priorityOf(String workloadClass) {
    return "heavy".equals(workloadClass) ? HEAVY_PRIORITY : LIGHT_PRIORITY;
  }

  /**
   * A fresh policy instance (policies hold per-device state).
   *
   * @param name {@code fifo}, {@code deadline} or {@code weighted}
   */
  public static SlicePolicy create(String name) {
    return switch (name) {
      case "fifo" -> new FifoPolicy();
      case "deadline" ->
          new DeadlineAwarePolicy(
              LIGHT_PRIORITY, DEFAULT_HEAVY_SLICE_CAP_NANOS, DEFAULT_STARVATION_NANOS);
      case "weighted" -> WeightedSharePolicy.byPriority(Map.of());
      default ->
          throw new IllegalArgumentException(
              "arbiter policy = '" + name + "', must be one of [deadline, fifo, weighted]");
    };
  }
}
