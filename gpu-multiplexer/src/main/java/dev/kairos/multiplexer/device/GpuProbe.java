package dev.kairos.multiplexer.device;

import java.util.List;

/** Finds the node's GPUs; an empty list when there are none or no driver. */
public interface GpuProbe {
  List<Device> probe();
}
