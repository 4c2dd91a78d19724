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
 * @throws InvalidKnobException naming the first field that breaks its rule
 */
public record DeviceConfig(
    String kind, long memoryBytes, String workloadClass, int threads, String shared) {
  public static final DeviceConfig DEFAULT = new DeviceConfig("cpu", 0, "light", 0, "");

  public DeviceConfig {
    shared = shared == null ? "" : shared;
    if (!"cpu".equals(kind) && !"gpu".equals(kind)) {
      throw new InvalidKnobException("kind", "'" + kind + "'", "must be one of [cpu, gpu]");
    }
    if (memoryBytes < 0) {
      throw new InvalidKnobException("memory", memoryBytes, "must be >= 0");
    }
    if (!"light".equals(workloadClass) && !"heavy".equals(workloadClass)) {
      throw new InvalidKnobException(
          "class", "'" + workloadClass + "'", "must be one of [light, heavy]");
    }
    if (threads < 0 || threads > 1024) {
      throw new InvalidKnobException("threads", threads, "must be between 0 and 1024");
    }
    if (!shared.matches("[A-Za-z0-9_-]{0,64}")) {
      throw new InvalidKnobException(
          "shared", "'" + shared + "'", "must be a device id of letters, digits, '_' or '-'");
    }
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
