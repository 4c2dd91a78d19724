package dev.kairos.sdk.model;

/**
 * Where a model version runs.
 *
 * @param kind {@code cpu} (default) or {@code gpu}
 * @param memoryBytes device memory the model may use, 0 for no cap (default 0)
 * @param workloadClass {@code light} (latency-sensitive, default) or {@code heavy} (compute-bound)
 * @param threads engine threads; 0 means the cores the replica is given (default 0)
 * @param shared the id of a device this model shares with the other models naming the same id,
 *     time-sliced by that device's arbiter; empty (default) when the model has its device to itself
 */
public record DeviceConfig(
    String kind, long memoryBytes, String workloadClass, int threads, String shared) {
  public static final DeviceConfig DEFAULT = new DeviceConfig("cpu", 0, "light", 0, "");

  public DeviceConfig {
    shared = shared == null ? "" : shared;
  }

  /** The old four-field form: a device of its own. */
  public DeviceConfig(String kind, long memoryBytes, String workloadClass, int threads) {
    this(kind, memoryBytes, workloadClass, threads, "");
  }

  public boolean isShared() {
    return !shared.isEmpty();
  }

  public boolean isGpu() {
    return "gpu".equals(kind);
  }
}
