package dev.kairos.console;

import dev.kairos.multiplexer.arbiter.SliceStats;
import java.util.List;

/**
 * A device as the console shows it.
 *
 * @param id the device id ({@code cpu0}, or the id models name in {@code device.shared})
 * @param kind {@code cpu} or {@code gpu}
 * @param policy the arbiter's time-slicing policy, or {@code none} for a device without one
 * @param memoryCapacityBytes the device's memory
 * @param memoryUsedBytes memory its models' replicas use now
 * @param models the models placed on it
 * @param slices the arbiter's statistics per model (empty without an arbiter)
 * @param pinning what its processes are pinned to ({@code cores 0,1}, {@code CUDA device 0}), or
 *     empty
 * @param placed each model on it, its replicas there and why placement put it there
 */
public record DeviceStatus(
    String id,
    String kind,
    String policy,
    long memoryCapacityBytes,
    long memoryUsedBytes,
    List<String> models,
    List<SliceStats> slices,
    String pinning,
    List<PlacedModel> placed) {
  public DeviceStatus {
    models = List.copyOf(models);
    slices = List.copyOf(slices);
    pinning = pinning == null ? "" : pinning;
    placed = List.copyOf(placed);
  }

  /** A device without placement details. */
  public DeviceStatus(
      String id,
      String kind,
      String policy,
      long memoryCapacityBytes,
      long memoryUsedBytes,
      List<String> models,
      List<SliceStats> slices) {
    this(id, kind, policy, memoryCapacityBytes, memoryUsedBytes, models, slices, "", List.of());
  }
}
