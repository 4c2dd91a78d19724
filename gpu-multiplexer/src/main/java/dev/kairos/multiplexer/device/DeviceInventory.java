package dev.kairos.multiplexer.device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * The node's devices: its GPUs (asked of the {@link GpuProbe} lazily, on first use) and its CPU
 * cores, split into {@code cpuDevices} core sets ({@code cpu0}, {@code cpu1}, ...) of as equal a
 * size as the cores allow. A process pinned to a core set runs only there, so models on different
 * core sets do not compete for cores.
 */
public final class DeviceInventory {
  private final GpuProbe gpus;
  private final List<Integer> coreIds;
  private final int cpuDevices;
  private final long cpuMemoryBytes;
  private List<Device> devices;
  private List<Device> cpuList;
  private final Map<String, List<Integer>> coreSets = new LinkedHashMap<>();

  /** One CPU device of {@code cores} cores, numbered from 0. */
  public DeviceInventory(GpuProbe gpus, int cores, long cpuMemoryBytes) {
    this(gpus, IntStream.range(0, cores).boxed().toList(), 1, cpuMemoryBytes);
  }

  /**
   * @param coreIds the cores this process may run on, as the kernel numbers them
   * @param cpuDevices how many core sets to split them into, 1 to the number of cores
   * @param cpuMemoryBytes the machine's memory, divided evenly between the core sets
   */
  public DeviceInventory(
      GpuProbe gpus, List<Integer> coreIds, int cpuDevices, long cpuMemoryBytes) {
    if (coreIds.isEmpty()) {
      throw new IllegalArgumentException("no CPU cores to place models on");
    }
    if (cpuDevices < 1 || cpuDevices > coreIds.size()) {
      throw new IllegalArgumentException(
          "cpu devices = " + cpuDevices + ", must be 1 to the " + coreIds.size() + " cores here");
    }
    this.gpus = gpus;
    this.coreIds = List.copyOf(coreIds);
    this.cpuDevices = cpuDevices;
    this.cpuMemoryBytes = cpuMemoryBytes;
  }

  /** This machine: CUDA GPUs if a driver is present, and its CPU cores in one core set. */
  public static DeviceInventory local() {
    return local(1);
  }

  /** This machine, its cores split into {@code cpuDevices} core sets. */
  public static DeviceInventory local(int cpuDevices) {
    return new DeviceInventory(new CudaProbe(), allowedCores(), cpuDevices, physicalMemoryBytes());
  }

  public synchronized List<Device> devices() {
    if (devices == null) {
      List<Device> all = new ArrayList<>(gpus.probe());
      all.addAll(cpus());
      devices = List.copyOf(all);
    }
    return devices;
  }

  /** The CPU core sets; the GPUs are not probed for these. */
  public synchronized List<Device> cpus() {
    if (cpuList == null) {
      List<Device> all = new ArrayList<>();
      int from = 0;
      for (int i = 0; i < cpuDevices; i++) {
        int to = from + (coreIds.size() - from) / (cpuDevices - i);
        List<Integer> set = coreIds.subList(from, to);
        String id = "cpu" + i;
        coreSets.put(id, List.copyOf(set));
        all.add(Device.cpu(id, set.size(), cpuMemoryBytes / cpuDevices));
        from = to;
      }
      cpuList = List.copyOf(all);
    }
    return cpuList;
  }

  /** The GPUs, probed on the first call (here, or through {@link #devices()}). */
  public List<Device> gpus() {
    return devices().stream().filter(d -> d.kind() == Device.Kind.GPU).toList();
  }

  public Optional<Device> find(String id) {
    return devices().stream().filter(d -> d.id().equals(id)).findFirst();
  }

  /** The cores of a CPU device, as the kernel numbers them; empty for a GPU or an unknown id. */
  public synchronized List<Integer> cores(String deviceId) {
    cpus();
    return coreSets.getOrDefault(deviceId, List.of());
  }

  /**
   * The cores this process may use: {@code Cpus_allowed_list} of {@code /proc/self/status} (a
   * container's or {@code taskset}'s limits included), else 0 to the processor count - 1.
   */
  static List<Integer> allowedCores() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Cpus_allowed_list:")) {
          List<Integer> ids = parseCpuList(line.substring(line.indexOf(':') + 1).trim());
          if (!ids.isEmpty()) {
            return ids;
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: number the cores
    }
    return IntStream.range(0, Runtime.getRuntime().availableProcessors()).boxed().toList();
  }

  /** Parses a kernel CPU list such as {@code 0-3,6,8-9}. */
  static List<Integer> parseCpuList(String list) {
    List<Integer> out = new ArrayList<>();
    for (String part : list.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      int dash = p.indexOf('-');
      if (dash < 0) {
        out.add(Integer.parseInt(p));
      } else {
        int lo = Integer.parseInt(p.substring(0, dash));
        int hi = Integer.parseInt(p.substring(dash + 1));
        for (int c = lo; c <= hi; c++) {
          out.add(c);
        }
      }
    }
    return out;
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
