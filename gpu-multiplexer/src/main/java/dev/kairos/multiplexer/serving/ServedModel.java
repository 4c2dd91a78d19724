package dev.kairos.multiplexer.serving;

import dev.kairos.multiplexer.device.Device;
import dev.kairos.multiplexer.placement.ModelDemand;

/**
 * A model serving asks placement about: its demand, and the kind of device it runs on.
 *
 * @param demand profile, rate, SLO and class
 * @param kind CPU or GPU, from {@code device.kind} in {@code model.yaml}
 */
public record ServedModel(ModelDemand demand, Device.Kind kind) {
  public String name() {
    return demand.name();
  }
}
