package dev.kairos.multiplexer.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.multiplexer.device.Device;
import dev.kairos.multiplexer.profile.BatchLatency;
import dev.kairos.multiplexer.profile.ModelProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** What every {@link PlacementPolicy} must do; each policy's test extends this. */
abstract class PlacementPolicyContract {
  private static final long GB = 1L << 30;

  abstract PlacementPolicy create();

  private static List<ModelDemand> randomModels(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<ModelDemand> out = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      boolean heavy = r.nextInt(4) == 0;
      long p50 = heavy ? 3_300_000 : 500_000;
      ModelProfile profile =
          new ModelProfile(
              "m" + i,
              "V100",
              List.of(
                  new BatchLatency(1, p50, p50 * 12 / 10), new BatchLatency(8, p50 * 4, p50 * 5)),
              (1 + r.nextInt(6)) * GB / 2,
              0,
              "test");
      out.add(
          new ModelDemand(
              "m" + i,
              profile,
              r.nextInt(200),
              (heavy ? 150 : 15) * 1_000_000L,
              heavy ? WorkloadClass.HEAVY : WorkloadClass.LIGHT));
    }
    return out;
  }

  private static List<Device> devices(int n) {
    List<Device> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Device.gpu("gpu" + i, "V100", 16 * GB));
    }
    return out;
  }

  @Test
  void shouldPlaceEachModelOnceAndNeverOverfillMemory() {
    for (long seed = 0; seed < 20; seed++) {
      List<ModelDemand> models = randomModels(seed);
      List<Device> devices = devices(8);
      Placement p = create().place(devices, models);
      List<String> seen = new ArrayList<>();
      p.assignments()
          .forEach(
              (device, on) -> {
                long used = on.stream().mapToLong(ModelDemand::memoryBytes).sum();
                assertThat(used).isLessThanOrEqualTo(16 * GB);
                on.forEach(m -> seen.add(m.name()));
              });
      p.unplaced().forEach(m -> seen.add(m.name()));
      assertThat(seen)
          .containsExactlyInAnyOrderElementsOf(models.stream().map(ModelDemand::name).toList());
    }
  }

  @Test
  void shouldBeAPureFunction() {
    List<ModelDemand> models = randomModels(7);
    assertThat(create().place(devices(40), models)).isEqualTo(create().place(devices(40), models));
  }

  @Test
  void shouldPlaceNothingWithoutDevices() {
    List<ModelDemand> models = randomModels(1);
    Placement p = create().place(List.of(), models);
    assertThat(p.devicesUsed()).isZero();
    assertThat(p.unplaced()).hasSize(models.size());
  }
}
