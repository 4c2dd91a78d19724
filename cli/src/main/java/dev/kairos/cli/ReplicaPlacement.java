package dev.kairos.cli;

import dev.kairos.multiplexer.device.Device;
import dev.kairos.multiplexer.device.DeviceInventory;
import dev.kairos.multiplexer.serving.PlacementDecision;
import dev.kairos.multiplexer.serving.ServedModel;
import dev.kairos.multiplexer.serving.ServingPlacement;
import dev.kairos.multiplexer.serving.Site;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.sdk.model.DeviceConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Where {@code kairos serve} starts each replica. Every time a replica is added (at start, when the
 * autoscaler scales up, when the supervisor replaces one) placement runs over every model the
 * platform serves, models at zero included, since they will come: the node's device inventory, each
 * model's profile, rate and SLO ({@link ModelDemands}) and the serving placement decide the
 * replica's device. The replica is pinned to it (its core set, or {@code CUDA_VISIBLE_DEVICES}),
 * and where placement has put several models on one device they take turns on it as {@link
 * DeviceSharing} says (the device's arbiter, started here on first use, or CPU priorities).
 *
 * <p>{@code device.shared} in {@code model.yaml} overrides placement: models naming the same id
 * share that id's arbiter, wherever their processes run.
 */
final class ReplicaPlacement {
  private final DeviceInventory inventory;
  private final ServingPlacement placement;
  private final ModelDemands demands;
  private final SharedDevices arbiters;
  private final DeviceSharing sharing;
  private final Map<String, String> replicaDevices = new ConcurrentHashMap<>();

  ReplicaPlacement(
      DeviceInventory inventory,
      ServingPlacement placement,
      ModelDemands demands,
      SharedDevices arbiters,
      DeviceSharing sharing) {
    this.inventory = inventory;
    this.placement = placement;
    this.demands = demands;
    this.arbiters = arbiters;
    this.sharing = sharing;
  }

  /**
   * A heavy model's nice increment on a CPU device it shares under {@link DeviceSharing#WEIGHTS}.
   */
  static final int HEAVY_NICE = 19;

  /** The arbiter's cap on a heavy slice, which the placement's latency model assumes. */
  static final long HEAVY_SLICE_CAP_NANOS = 8_000_000L;

  /**
   * This machine's devices ({@code cpuDevices} core sets, GPUs if the CUDA probe finds any), the
   * SLO-aware placement, and rates from {@code rates}.
   */
  static ReplicaPlacement local(
      SharedDevices arbiters,
      DeviceSharing sharing,
      int cpuDevices,
      java.util.function.ToDoubleFunction<String> rates) {
    return new ReplicaPlacement(
        DeviceInventory.local(cpuDevices),
        new ServingPlacement(
            new dev.kairos.multiplexer.placement.SloAwarePlacement(0.9, HEAVY_SLICE_CAP_NANOS),
            HEAVY_SLICE_CAP_NANOS),
        new ModelDemands(rates),
        arbiters,
        sharing);
  }

  SharedDevices arbiters() {
    return arbiters;
  }

  DeviceInventory inventory() {
    return inventory;
  }

  DeviceSharing sharing() {
    return sharing;
  }

  /**
   * The site of a new replica of {@code dir}, among the models the platform serves.
   *
   * @throws IllegalStateException when no device can take the model (the reason says why)
   */
  synchronized ReplicaSite assign(ModelDirectory dir, Collection<ModelDirectory> served) {
    DeviceConfig device = dir.config().device();
    if (device.isShared()) {
      return new ReplicaSite(
          device.shared(),
          arbiters.runtimeArgs(device),
          "",
          "",
          -1,
          false,
          "shares device "
              + device.shared()
              + " as a "
              + device.workloadClass()
              + " model (device.shared in model.yaml overrides placement)");
    }
    PlacementDecision d = decide(dir, served);
    String refused = d.refused().get(dir.name());
    if (refused != null) {
      throw new IllegalStateException(refused);
    }
    Site site = d.site(dir.name()).orElseThrow();
    Device on = site.device();
    boolean gpu = on.kind() == Device.Kind.GPU;
    boolean takeTurns = site.shared() && sharing != DeviceSharing.OFF;
    List<String> args = List.of();
    int nice = -1;
    String how = "";
    if (takeTurns && (gpu || sharing == DeviceSharing.ARBITER)) {
      args = List.of("--arbiter-socket", arbiters.socketFor(on.id(), gpu).toString());
      how = "; takes turns through the " + on.id() + " arbiter";
    } else if (takeTurns && !device.workloadClass().equals("light")) {
      nice = HEAVY_NICE;
      how = "; runs at the lowest CPU priority, so the light models get a core when they wake";
    } else if (takeTurns) {
      how = "; heavy models beside it run at the lowest CPU priority";
    } else if (site.shared()) {
      how = "; the models do not take turns (--device-sharing off)";
    }
    String cpuList = gpu ? "" : cpuList(on);
    String cuda = gpu ? on.id().replaceFirst("^gpu", "") : "";
    return new ReplicaSite(
        on.id(),
        args,
        cpuList,
        cuda,
        nice,
        args.isEmpty() && !gpu && nice < 0,
        "placed " + site.reason() + how);
  }

  /**
   * The CPU devices the shared hosts are spread over, each with its cores; empty when the cores are
   * one device (then a host, like every process, may run on all of them).
   */
  List<ReplicaSite> hostSites() {
    List<Device> cpus = inventory.cpus();
    if (cpus.size() < 2) {
      return List.of();
    }
    return cpus.stream()
        .map(
            d ->
                new ReplicaSite(
                    d.id(), List.of(), cpuList(d), "", -1, false, "runtime hosts on " + d.id()))
        .toList();
  }

  /**
   * The device placement puts a new replica of a model that shares a host on, among the models the
   * platform serves; null when the cores are one device (nothing to decide: a storm of cold loads
   * does not pay for a placement each) or when placement cannot place it (the hosts' own memory
   * admission decides).
   */
  synchronized String hostDevice(ModelDirectory dir, Collection<ModelDirectory> served) {
    if (inventory.cpus().size() < 2) {
      return null;
    }
    return decide(dir, served).site(dir.name()).map(site -> site.device().id()).orElse(null);
  }

  /** The device of a host pinned to {@code hostDevice}, or the one core set where none is. */
  String deviceOfHost(String hostDevice) {
    return hostDevice.isEmpty() ? inventory.cpus().get(0).id() : hostDevice;
  }

  private String cpuList(Device on) {
    return inventory.cores(on.id()).stream().map(String::valueOf).collect(Collectors.joining(","));
  }

  /** Remembers which device a replica was started on, for the console. */
  void started(String replicaId, String device) {
    replicaDevices.put(replicaId, device);
  }

  /** The device each replica id was started on (those no longer running included). */
  Map<String, String> replicaDevices() {
    return Map.copyOf(replicaDevices);
  }

  /**
   * Whether a replica runs on a device placement would no longer put its model on (placement
   * changed since it started): such a replica goes first when its model scales down.
   */
  synchronized boolean misplaced(
      String replicaId, String model, Collection<ModelDirectory> served) {
    String device = replicaDevices.get(replicaId);
    if (device == null) {
      return false;
    }
    return current(served)
        .site(model)
        .map(site -> !site.device().id().equals(device))
        .orElse(false);
  }

  /** Forgets replicas that no longer run. */
  void retain(java.util.function.Predicate<String> running) {
    replicaDevices.keySet().removeIf(id -> !running.test(id));
  }

  /** Placement over the served models that placement decides for. */
  synchronized PlacementDecision current(Collection<ModelDirectory> served) {
    return decide(null, served);
  }

  private PlacementDecision decide(ModelDirectory adding, Collection<ModelDirectory> served) {
    List<ServedModel> models = new ArrayList<>();
    boolean seen = false;
    for (ModelDirectory m : served) {
      if (m.ok() && !m.config().device().isShared()) {
        models.add(demands.of(m));
        seen |= adding != null && m.name().equals(adding.name());
      }
    }
    if (adding != null && !seen) {
      models.add(demands.of(adding));
    }
    boolean wantsGpu = models.stream().anyMatch(m -> m.kind() == Device.Kind.GPU);
    // the CUDA probe runs only once some model asks for a GPU
    List<Device> devices = wantsGpu ? inventory.devices() : inventory.cpus();
    return placement.place(devices, models);
  }
}
