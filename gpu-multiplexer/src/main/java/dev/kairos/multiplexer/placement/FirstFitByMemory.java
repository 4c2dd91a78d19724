package dev.kairos.multiplexer.placement;

import dev.kairos.multiplexer.device.Device;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The baseline that packs by memory only: each model goes on the first device with room, up to
 * {@code maxModelsPerDevice}. Load and latency are ignored.
 */
public final class FirstFitByMemory implements PlacementPolicy {
  private final int maxModelsPerDevice;

  public FirstFitByMemory(int maxModelsPerDevice) {
    if (maxModelsPerDevice < 1) {
      throw new IllegalArgumentException(
          "maxModelsPerDevice = " + maxModelsPerDevice + ", must be >= 1");
    }
    this.maxModelsPerDevice = maxModelsPerDevice;
  }

  /** No cap on models per device: memory alone decides. */
  public FirstFitByMemory() {
    this(Integer.MAX_VALUE);
  }

  @Override
  public String name() {
    return "first-fit-memory";
  }

  @Override
  public Placement place(List<Device> devices, List<ModelDemand> models) {
    Map<String, List<ModelDemand>> out = new LinkedHashMap<>();
    long[] free = devices.stream().mapToLong(Device::memoryBytes).toArray();
    List<ModelDemand> unplaced = new ArrayList<>();
    for (ModelDemand m : models) {
      boolean placed = false;
      for (int i = 0; i < devices.size() && !placed; i++) {
        List<ModelDemand> on = out.getOrDefault(devices.get(i).id(), List.of());
        if (free[i] >= m.memoryBytes() && on.size() < maxModelsPerDevice) {
          free[i] -= m.memoryBytes();
          out.computeIfAbsent(devices.get(i).id(), k -> new ArrayList<>()).add(m);
          placed = true;
        }
      }
      if (!placed) {
        unplaced.add(m);
      }
    }
    return new Placement(out, unplaced);
  }
}
