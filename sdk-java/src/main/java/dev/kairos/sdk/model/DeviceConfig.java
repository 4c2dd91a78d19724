package dev.kairos.sdk.model;

/**
 * Where a model version runs.
 *
 * @param kind {@code cpu} (default) or {@code gpu}
 * @param memoryBytes device memory the model may use, 0 for no cap (default 0)
 * @param workloadClass {@code light} (latency-sensitive, default) or {@code heavy} (compute-bound)
 * @param threads engine threads; 0 means the cores the replica is given (default 0)
 */
public record DeviceConfig(String kind, long memoryBytes, String workloadClass, int threads) {
  public static final DeviceConfig DEFAULT = new DeviceConfig("cpu", 0, "light", 0);

  public boolean isGpu() {
    return "gpu".equals(kind);
  }
}
