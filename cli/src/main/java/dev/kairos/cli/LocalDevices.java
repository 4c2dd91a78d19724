package dev.kairos.cli;

import dev.kairos.console.DeviceStatus;
import dev.kairos.console.DeviceView;
import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.route.ReplicaSet;
import dev.kairos.multiplexer.arbiter.uds.ArbiterServer;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.sdk.model.DeviceConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Local mode's devices for the console: {@code cpu0}, the machine's cores, where every model that
 * has its device to itself runs; and each shared device (an arbiter named by {@code device.shared}
 * in {@code model.yaml}) with the models on it and its arbiter's statistics. Memory used is the
 * resident memory of the models' replica processes.
 */
final class LocalDevices implements DeviceView {
  private final LocalPlatform platform;
  private final long physicalMemory;

  LocalDevices(LocalPlatform platform) {
    this.platform = platform;
    this.physicalMemory = physicalMemoryBytes();
  }

  @Override
  public List<DeviceStatus> devices() {
    Map<String, List<String>> placed = new TreeMap<>();
    Map<String, String> kinds = new TreeMap<>();
    for (ModelDirectory dir : platform.models().values()) {
      if (platform.routes().find(dir.name()) == null) {
        continue;
      }
      DeviceConfig d = dir.config().device();
      String id = d.isShared() ? d.shared() : "cpu0";
      placed.computeIfAbsent(id, k -> new ArrayList<>()).add(dir.name());
      kinds.putIfAbsent(id, d.isShared() ? d.kind() : "cpu");
    }
    placed.computeIfAbsent("cpu0", k -> new ArrayList<>());
    Map<String, ArbiterServer> arbiters = platform.sharedDevices().arbiters();
    List<DeviceStatus> out = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : placed.entrySet()) {
      String id = e.getKey();
      List<String> models = e.getValue().stream().sorted().toList();
      ArbiterServer arbiter = arbiters.get(id);
      out.add(
          new DeviceStatus(
              id,
              kinds.getOrDefault(id, "cpu"),
              arbiter == null ? "none" : arbiter.arbiter().policy().name(),
              physicalMemory,
              models.stream().mapToLong(this::residentBytes).sum(),
              models,
              arbiter == null ? List.of() : arbiter.arbiter().statsByModel()));
    }
    return out;
  }

  /** Resident memory of a model's replica processes (their ids end in {@code #pid}). */
  private long residentBytes(String model) {
    ModelRoute route = platform.routes().find(model);
    if (route == null) {
      return 0;
    }
    long total = 0;
    for (ReplicaSet set : route.versions().values()) {
      for (Replica r : set.all()) {
        int hash = r.id().lastIndexOf('#');
        if (hash >= 0) {
          total += rss(r.id().substring(hash + 1));
        }
      }
    }
    return total;
  }

  private static long rss(String pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException | java.nio.file.InvalidPathException e) {
      // not Linux, or the process is gone: count nothing
    }
    return 0;
  }

  private static long physicalMemoryBytes() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getTotalMemorySize();
    }
    return Runtime.getRuntime().maxMemory();
  }
}
