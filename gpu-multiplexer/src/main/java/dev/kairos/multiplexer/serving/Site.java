package dev.kairos.multiplexer.serving;

import dev.kairos.multiplexer.device.Device;
import java.util.List;

/**
 * Where placement put a model, and why.
 *
 * @param device the device its replicas run on
 * @param models every model placed on that device, this one included, by name
 * @param reason why it is there, in words an operator reads on the console
 */
public record Site(Device device, List<String> models, String reason) {
  public Site {
    models = List.copyOf(models);
  }

  /** Whether other models run on the same device, so that they must take turns on it. */
  public boolean shared() {
    return models.size() > 1;
  }
}
