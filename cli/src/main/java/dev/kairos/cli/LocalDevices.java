package dev.kairos.cli;

import dev.kairos.console.DeviceStatus;
import dev.kairos.console.DeviceView;
import dev.kairos.console.PlacedModel;
import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.route.ReplicaSet;
import dev.kairos.multiplexer.arbiter.uds.ArbiterServer;
import dev.kairos.multiplexer.device.Device;
import dev.kairos.multiplexer.serving.PlacementDecision;
import dev.kairos.multiplexer.serving.Site;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.sdk.model.DeviceConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Local mode's devices for the console, as placement has them: each device of the inventory with
 * the models placement puts there, the replicas running there and why each model is there; then
 * each device that models name in {@code device.shared} (an override of placement). Shared devices
 * show their arbiter's statistics. Memory used is the resident memory of the replicas' processes.
 */
final class LocalDevices implements DeviceView {
  private final LocalPlatform platform;

  LocalDevices(LocalPlatform platform) {
    this.platform = platform;
  }

  @Override
  public List<DeviceStatus> devices() {
    ReplicaPlacement placement = platform.placement();
    Collection<ModelDirectory> served =
        platform.models().values().stream()
            .filter(d -> platform.routes().find(d.name()) != null)
            .toList();
    PlacementDecision decision = placement.current(served);
    Map<String, ArbiterServer> arbiters = platform.sharedDevices().arbiters();
    Map<String, Integer> replicasOn = replicasByDevice(placement);
    List<DeviceStatus> out = new ArrayList<>();
    boolean gpusProbed = served.stream().anyMatch(d -> d.config().device().isGpu());
    List<Device> devices =
        gpusProbed ? placement.inventory().devices() : placement.inventory().cpus();
    for (Device d : devices) {
      List<PlacedModel> placed = new ArrayList<>();
      List<String> names = new ArrayList<>();
      for (Map.Entry<String, Site> e : decision.sites().entrySet()) {
        if (e.getValue().device().id().equals(d.id())) {
          names.add(e.getKey());
          placed.add(
              new PlacedModel(
                  e.getKey(),
                  replicasOn.getOrDefault(e.getKey() + "@" + d.id(), 0),
                  e.getValue().reason() + turns(e.getValue(), d)));
        }
      }
      out.add(status(d.id(), kind(d), d.memoryBytes(), names, pinning(d, placement), placed));
    }
    Map<String, List<String>> overrides = new TreeMap<>();
    Map<String, String> overrideKinds = new TreeMap<>();
    for (ModelDirectory dir : served) {
      DeviceConfig c = dir.config().device();
      if (c.isShared()) {
        overrides.computeIfAbsent(c.shared(), k -> new ArrayList<>()).add(dir.name());
        overrideKinds.putIfAbsent(c.shared(), c.kind());
      }
    }
    overrides.forEach(
        (id, models) -> {
          List<PlacedModel> placed =
              models.stream()
                  .map(
                      m ->
                          new PlacedModel(
                              m,
                              replicasOn.getOrDefault(m + "@" + id, 0),
                              "device.shared: " + id + " in model.yaml overrides placement"))
                  .toList();
          int at = indexOf(out, id);
          if (at < 0) {
            out.add(status(id, overrideKinds.get(id), physicalMemoryBytes(), models, "", placed));
          } else {
            // a device of the inventory that models also name in device.shared: one device
            DeviceStatus d = out.get(at);
            List<String> names = new ArrayList<>(d.models());
            names.addAll(models);
            List<PlacedModel> all = new ArrayList<>(d.placed());
            all.addAll(placed);
            out.set(at, status(id, d.kind(), d.memoryCapacityBytes(), names, d.pinning(), all));
          }
        });
    List<DeviceStatus> withArbiters = new ArrayList<>();
    for (DeviceStatus s : out) {
      ArbiterServer a = arbiters.get(s.id());
      withArbiters.add(
          new DeviceStatus(
              s.id(),
              s.kind(),
              a == null ? "none" : a.arbiter().policy().name(),
              s.memoryCapacityBytes(),
              s.memoryUsedBytes(),
              s.models(),
              a == null ? List.of() : a.arbiter().statsByModel(),
              s.pinning(),
              s.placed()));
    }
    return withArbiters;
  }

  private String turns(Site site, Device d) {
    if (!site.shared()) {
      return "";
    }
    DeviceSharing sharing = platform.placement().sharing();
    if (sharing == DeviceSharing.OFF) {
      return "; the models do not take turns (--device-sharing off)";
    }
    if (d.kind() == Device.Kind.GPU || sharing == DeviceSharing.ARBITER) {
      return "; they take turns through the device's arbiter";
    }
    return "; heavy models run at the lowest CPU priority beside the light ones";
  }

  private static int indexOf(List<DeviceStatus> devices, String id) {
    for (int i = 0; i < devices.size(); i++) {
      if (devices.get(i).id().equals(id)) {
        return i;
      }
    }
    return -1;
  }

  private DeviceStatus status(
      String id,
      String kind,
      long memory,
      List<String> unsorted,
      String pinning,
      List<PlacedModel> unsortedPlaced) {
    List<String> models = unsorted.stream().sorted().toList();
    List<PlacedModel> placed =
        unsortedPlaced.stream().sorted(java.util.Comparator.comparing(PlacedModel::model)).toList();
    return new DeviceStatus(
        id,
        kind,
        "none",
        memory,
        models.stream().mapToLong(this::residentBytes).sum(),
        models,
        List.of(),
        pinning,
        placed);
  }

  private static String kind(Device d) {
    return d.kind() == Device.Kind.GPU ? "gpu" : "cpu";
  }

  private static String pinning(Device d, ReplicaPlacement placement) {
    if (d.kind() == Device.Kind.GPU) {
      return "CUDA device " + d.id().replaceFirst("^gpu", "");
    }
    return "cores "
        + placement.inventory().cores(d.id()).stream()
            .map(String::valueOf)
            .collect(Collectors.joining(","));
  }

  /** Running replicas per {@code model@device}. */
  private Map<String, Integer> replicasByDevice(ReplicaPlacement placement) {
    placement.retain(platform::hasReplica);
    Map<String, Integer> out = new LinkedHashMap<>();
    placement
        .replicaDevices()
        .forEach(
            (id, device) -> {
              int v = id.lastIndexOf(" v");
              if (v > 0) {
                out.merge(id.substring(0, v) + "@" + device, 1, Integer::sum);
              }
            });
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
