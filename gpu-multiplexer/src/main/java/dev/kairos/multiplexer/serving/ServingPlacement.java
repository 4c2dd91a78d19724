package dev.kairos.multiplexer.serving;

import dev.kairos.multiplexer.device.Device;
import dev.kairos.multiplexer.placement.ModelDemand;
import dev.kairos.multiplexer.placement.Placement;
import dev.kairos.multiplexer.placement.PlacementPolicy;
import dev.kairos.multiplexer.placement.SharedDeviceModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Placement as serving runs it, and as the fleet study runs it: a {@link PlacementPolicy} decides
 * which models share which device, each kind of device (CPU core sets, GPUs) on its own; a model
 * the policy leaves unplaced while a device of its kind has the memory goes on the least-utilised
 * such device (serving cannot leave a model without a device; it shares, and says so); a model for
 * whose kind there is no device, or no device with the memory, is refused with the reason. A pure
 * function of (devices, models), like the policies.
 */
public final class ServingPlacement {
  private final PlacementPolicy policy;
  private final SharedDeviceModel latency;

  /**
   * @param policy decides co-location
   * @param heavySliceCapNanos the arbiters' cap on heavy slices, for the predicted latencies given
   *     as reasons
   */
  public ServingPlacement(PlacementPolicy policy, long heavySliceCapNanos) {
    this.policy = policy;
    this.latency = new SharedDeviceModel(heavySliceCapNanos);
  }

  public String policyName() {
    return policy.name();
  }

  public PlacementDecision place(List<Device> devices, List<ServedModel> models) {
    Map<String, List<ModelDemand>> assignments = new LinkedHashMap<>();
    List<ModelDemand> unplaced = new ArrayList<>();
    Map<String, String> fallbacks = new HashMap<>();
    Map<String, String> refused = new LinkedHashMap<>();
    for (Device.Kind kind : Device.Kind.values()) {
      List<Device> ofKind = devices.stream().filter(d -> d.kind() == kind).toList();
      List<ModelDemand> wanting =
          models.stream().filter(m -> m.kind() == kind).map(ServedModel::demand).toList();
      if (wanting.isEmpty()) {
        continue;
      }
      if (ofKind.isEmpty()) {
        for (ModelDemand m : wanting) {
          refused.put(
              m.name(),
              "model '"
                  + m.name()
                  + "' asks for device.kind: "
                  + kind.name().toLowerCase(Locale.ROOT)
                  + ", but this machine has no such device"
                  + (kind == Device.Kind.GPU ? " (the CUDA probe found no GPU)" : ""));
          unplaced.add(m);
        }
        continue;
      }
      Placement p = policy.place(ofKind, wanting);
      Map<String, List<ModelDemand>> on = new LinkedHashMap<>();
      for (Device d : ofKind) {
        on.put(d.id(), new ArrayList<>(p.assignments().getOrDefault(d.id(), List.of())));
      }
      for (ModelDemand m : p.unplaced()) {
        Device target = leastUtilised(ofKind, on, m);
        if (target == null) {
          refused.put(
              m.name(),
              String.format(
                  Locale.ROOT,
                  "model '%s' needs %s of memory; no %s device has that much free",
                  m.name(),
                  bytes(m.memoryBytes()),
                  kind.name().toLowerCase(Locale.ROOT)));
          unplaced.add(m);
        } else {
          on.get(target.id()).add(m);
          fallbacks.put(
              m.name(),
              "no device keeps every SLO within the policy's bounds with it, so it shares the"
                  + " least-utilised one");
        }
      }
      on.forEach(
          (id, list) -> {
            if (!list.isEmpty()) {
              assignments.put(id, list);
            }
          });
    }
    Map<String, Site> sites = new LinkedHashMap<>();
    for (Map.Entry<String, List<ModelDemand>> e : assignments.entrySet()) {
      Device d = devices.stream().filter(x -> x.id().equals(e.getKey())).findFirst().orElseThrow();
      List<String> names = e.getValue().stream().map(ModelDemand::name).toList();
      for (ModelDemand m : e.getValue()) {
        sites.put(m.name(), new Site(d, names, reason(d, m, e.getValue(), fallbacks)));
      }
    }
    return new PlacementDecision(new Placement(assignments, unplaced), sites, refused);
  }

  /** The device of the kind with the memory for {@code m} whose models use it least, or null. */
  private Device leastUtilised(
      List<Device> devices, Map<String, List<ModelDemand>> on, ModelDemand m) {
    return devices.stream()
        .filter(
            d ->
                d.memoryBytes() - on.get(d.id()).stream().mapToLong(ModelDemand::memoryBytes).sum()
                    >= m.memoryBytes())
        .min(Comparator.comparingDouble(d -> latency.utilisation(on.get(d.id()))))
        .orElse(null);
  }

  private String reason(
      Device d, ModelDemand m, List<ModelDemand> all, Map<String, String> fallbacks) {
    List<String> others =
        all.stream().map(ModelDemand::name).filter(n -> !n.equals(m.name())).toList();
    double p99 = latency.predictedP99Nanos(m, all);
    long memory = all.stream().mapToLong(ModelDemand::memoryBytes).sum();
    String where =
        others.isEmpty()
            ? "alone on " + d.id()
            : "on " + d.id() + " with " + String.join(", ", others);
    String why = fallbacks.getOrDefault(m.name(), policy.name() + " placed it there");
    if (p99 > m.sloNanos() && !fallbacks.containsKey(m.name())) {
      why += ", and a neighbour no other device could take now puts its SLO at risk";
    }
    return String.format(
        Locale.ROOT,
        "%s (%s model, %.1f req/s, %s): %s; device utilisation %.2f, predicted p99 %s against"
            + " an SLO of %.0f ms, memory %s of %s",
        where,
        m.isLight() ? "light" : "heavy",
        m.ratePerSecond(),
        m.profile().source().startsWith("measured") ? "measured profile" : m.profile().source(),
        why,
        latency.utilisation(all),
        Double.isInfinite(p99) ? "unbounded (the device saturates)" : ms(p99),
        m.sloNanos() / 1e6,
        bytes(memory),
        bytes(d.memoryBytes()));
  }

  private static String ms(double nanos) {
    return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
  }

  private static String bytes(long b) {
    if (b >= 1L << 30) {
      return String.format(Locale.ROOT, "%.1f GiB", b / (double) (1L << 30));
    }
    return String.format(Locale.ROOT, "%.0f MiB", b / (double) (1L << 20));
  }
}
