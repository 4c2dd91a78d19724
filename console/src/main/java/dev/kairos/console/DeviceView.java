package dev.kairos.console;

import java.util.List;

/** The platform's devices, the models placed on them and their arbiters' statistics. */
@FunctionalInterface
public interface DeviceView {
  List<DeviceStatus> devices();
}
