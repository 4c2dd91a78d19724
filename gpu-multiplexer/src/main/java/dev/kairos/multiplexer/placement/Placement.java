package dev.kairos.multiplexer.placement;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which models share which device.
 *
 * @param assignments device id to the models placed on it, in device order; devices left empty are
 *     absent
 * @param unplaced models no device could take
 */
public record Placement(Map<String, List<ModelDemand>> assignments, List<ModelDemand> unplaced) {
  public Placement {
    Map<String, List<ModelDemand>> copy = new LinkedHashMap<>();
    assignments.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    assignments = java.util.Collections.unmodifiableMap(copy);
    unplaced = List.copyOf(unplaced);
  }

  public int devicesUsed() {
    return assignments.size();
  }

  public int modelsPlaced() {
    return assignments.values().stream().mapToInt(List::size).sum();
  }

  public double modelsPerDevice() {
    return devicesUsed() == 0 ? 0 : modelsPlaced() / (double) devicesUsed();
  }
}
