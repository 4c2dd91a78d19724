package dev.kairos.multiplexer.placement;

import dev.kairos.multiplexer.device.Device;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The baseline: every model gets a device of its own (if its memory fits). */
public final class OnePerDevice implements PlacementPolicy {
  @Override
  public String name() {
    return "one-per-device";
  }

  @Override
  public Placement place(List<Device> devices, List<ModelDemand> models) {
    Map<String, List<ModelDemand>> out = new LinkedHashMap<>();
    List<ModelDemand> unplaced = new ArrayList<>();
    int next = 0;
    for (ModelDemand m : models) {
      while (next < devices.size() && devices.get(next).memoryBytes() < m.memoryBytes()) {
        next++;
      }
      if (next < devices.size()) {
        out.put(devices.get(next++).id(), List.of(m));
      } else {
        unplaced.add(m);
      }
    }
    return new Placement(out, unplaced);
  }
}
