package dev.kairos.multiplexer.placement;

import dev.kairos.multiplexer.device.Device;
import java.util.List;

/** Decides co-location. A pure function: same devices and models, same placement. */
public interface PlacementPolicy {
  String name();

  Placement place(List<Device> devices, List<ModelDemand> models);
}
