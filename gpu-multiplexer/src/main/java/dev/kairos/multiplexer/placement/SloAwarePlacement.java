package dev.kairos.multiplexer.placement;

import dev.kairos.multiplexer.device.Device;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kairos's placement: models go, busiest first, on the fullest device where memory fits,
 * utilisation stays under {@code utilisationBound}, and every model there (the newcomer and its
 * neighbours) keeps its SLO as {@link SharedDeviceModel} predicts under the deadline-aware arbiter.
 * A model that fits nowhere opens the next device; a model infeasible even alone still gets a
 * device of its own (it is the best that can be done for it).
 */
public final class SloAwarePlacement implements PlacementPolicy {
  private final double utilisationBound;
  private final SharedDeviceModel model;

  /**
   * @param utilisationBound the most of a device's time its models may use together, in (0, 1]
   * @param heavySliceCapNanos the arbiter's cap on heavy slices
   */
  public SloAwarePlacement(double utilisationBound, long heavySliceCapNanos) {
    if (!(utilisationBound > 0 && utilisationBound <= 1)) {
      throw new IllegalArgumentException(
          "utilisationBound = " + utilisationBound + ", must be in (0, 1]");
    }
    this.utilisationBound = utilisationBound;
    this.model = new SharedDeviceModel(heavySliceCapNanos);
  }

  @Override
  public String name() {
    return "kairos-slo-aware";
  }

  @Override
  public Placement place(List<Device> devices, List<ModelDemand> models) {
    List<ModelDemand> order = new ArrayList<>(models);
    order.sort(
        Comparator.comparingDouble((ModelDemand m) -> model.utilisation(m))
            .reversed()
            .thenComparing(ModelDemand::name));
    List<List<ModelDemand>> on = new ArrayList<>();
    long[] free = devices.stream().mapToLong(Device::memoryBytes).toArray();
    for (int i = 0; i < devices.size(); i++) {
      on.add(new ArrayList<>());
    }
    List<ModelDemand> unplaced = new ArrayList<>();
    for (ModelDemand m : order) {
      int best = -1;
      double bestUtil = -1;
      int firstEmpty = -1;
      for (int i = 0; i < devices.size(); i++) {
        if (free[i] < m.memoryBytes()) {
          continue;
        }
        if (on.get(i).isEmpty()) {
          if (firstEmpty < 0) {
            firstEmpty = i;
          }
          continue;
        }
        List<ModelDemand> with = new ArrayList<>(on.get(i));
        with.add(m);
        double u = model.utilisation(with);
        if (u <= utilisationBound && u > bestUtil && model.sloFeasible(with)) {
          best = i;
          bestUtil = u;
        }
      }
      int target = best >= 0 ? best : firstEmpty;
      if (target < 0) {
        unplaced.add(m);
      } else {
        on.get(target).add(m);
        free[target] -= m.memoryBytes();
      }
    }
    Map<String, List<ModelDemand>> out = new LinkedHashMap<>();
    for (int i = 0; i < devices.size(); i++) {
      if (!on.get(i).isEmpty()) {
        out.put(devices.get(i).id(), on.get(i));
      }
    }
    return new Placement(out, unplaced);
  }
}
