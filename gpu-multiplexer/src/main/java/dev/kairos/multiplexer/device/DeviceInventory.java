package dev.kairos.multiplexer.device;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The node's devices: its GPUs (asked of the {@link GpuProbe} lazily, on first use) and one CPU
 * device made of the cores this JVM may use.
 */
public final class DeviceInventory {
  private final GpuProbe gpus;
  private final int cores;
  private final long cpuMemoryBytes;
  private List<Device> devices;

  public DeviceInventory(GpuProbe gpus, int cores, long cpuMemoryBytes) {
    this.gpus = gpus;
    this.cores = cores;
    this.cpuMemoryBytes = cpuMemoryBytes;
  }

  /** This machine: CUDA GPUs if a driver is present, and its CPU cores. */
  public static DeviceInventory local() {
    long memory = physicalMemoryBytes();
    return new DeviceInventory(new CudaProbe(), Runtime.getRuntime().availableProcessors(), memory);
  }

  public synchronized List<Device> devices() {
    if (devices == null) {
      List<Device> all = new ArrayList<>(gpus.probe());
      all.add(Device.cpu("cpu0", cores, cpuMemoryBytes));
      devices = List.copyOf(all);
    }
    return devices;
  }

  public List<Device> gpus() {
    return devices().stream().filter(d -> d.kind() == Device.Kind.GPU).toList();
  }

  public Optional<Device> find(String id) {
    return devices().stream().filter(d -> d.id().equals(id)).findFirst();
  }

  private static long physicalMemoryBytes() {
    java.lang.management.OperatingSystemMXBean os =
        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getTotalMemorySize();
    }
    return Runtime.getRuntime().maxMemory();
  }
}
