package dev.kairos.multiplexer.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.multiplexer.device.Device;
import dev.kairos.multiplexer.profile.BatchLatency;
import dev.kairos.multiplexer.profile.ModelProfile;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Placement as a table: label, policy, models, the placement wanted. */
class PlacementTest {
  private static final long MS = 1_000_000L;
  private static final long GB = 1L << 30;
  private static final List<Device> GPUS =
      List.of(
          Device.gpu("gpu0", "V100", 16 * GB),
          Device.gpu("gpu1", "V100", 16 * GB),
          Device.gpu("gpu2", "V100", 16 * GB),
          Device.gpu("gpu3", "V100", 16 * GB));

  /** ResNet-50 on a V100: 3.3 ms at batch 1, 12.4 ms at batch 8 (published figures). */
  private static ModelProfile resnet(long memory) {
    return new ModelProfile(
        "resnet50",
        "V100",
        List.of(
            new BatchLatency(1, (long) (3.3 * MS), 4 * MS),
            new BatchLatency(8, (long) (12.4 * MS), 14 * MS)),
        memory,
        0,
        "published");
  }

  private static ModelProfile small(long memory) {
    return new ModelProfile(
        "mlp",
        "V100",
        List.of(new BatchLatency(1, MS / 2, MS), new BatchLatency(8, MS, 2 * MS)),
        memory,
        0,
        "test");
  }

  private static ModelDemand heavy(String name, double rps, long memory) {
    return new ModelDemand(name, resnet(memory), rps, 200 * MS, WorkloadClass.HEAVY);
  }

  private static ModelDemand light(String name, double rps, long memory, long sloMs) {
    return new ModelDemand(name, small(memory), rps, sloMs * MS, WorkloadClass.LIGHT);
  }

  static Stream<Arguments> table() {
    PlacementPolicy one = new OnePerDevice();
    PlacementPolicy firstFit = new FirstFitByMemory();
    PlacementPolicy kairos = new SloAwarePlacement(0.7, 8 * MS);
    return Stream.of(
        Arguments.of(
            "one per device gives each model its own device",
            one,
            List.of(light("a", 10, GB, 20), light("b", 10, GB, 20), heavy("h", 10, 2 * GB)),
            "gpu0=[a] gpu1=[b] gpu2=[h]"),
        Arguments.of(
            "one per device leaves what does not fit unplaced",
            one,
            List.of(
                light("a", 1, GB, 20),
                light("b", 1, GB, 20),
                light("c", 1, GB, 20),
                light("d", 1, GB, 20),
                light("e", 1, GB, 20)),
            "gpu0=[a] gpu1=[b] gpu2=[c] gpu3=[d] unplaced=[e]"),
        Arguments.of(
            "one per device skips devices too small for the model",
            one,
            List.of(heavy("big", 1, 20 * GB)),
            "unplaced=[big]"),
        Arguments.of(
            "first fit packs by memory and ignores load",
            firstFit,
            List.of(heavy("h1", 200, 6 * GB), heavy("h2", 200, 6 * GB), heavy("h3", 200, 6 * GB)),
            "gpu0=[h1, h2] gpu1=[h3]"),
        Arguments.of(
            "first fit puts a small model back on the first device with room",
            firstFit,
            List.of(heavy("h1", 1, 10 * GB), heavy("h2", 1, 10 * GB), light("a", 1, 4 * GB, 20)),
            "gpu0=[h1, a] gpu1=[h2]"),
        Arguments.of(
            "kairos packs idle-ish models together when every SLO stays feasible",
            kairos,
            List.of(
                light("a", 20, GB, 20),
                light("b", 20, GB, 20),
                light("c", 20, GB, 20),
                heavy("h", 20, 2 * GB)),
            "gpu0=[h, a, b, c]"),
        Arguments.of(
            "kairos keeps busy heavy models apart when together they pass the bound",
            kairos,
            List.of(heavy("h1", 120, 2 * GB), heavy("h2", 120, 2 * GB)),
            "gpu0=[h1] gpu1=[h2]"),
        Arguments.of(
            "kairos keeps a tight-SLO light model off a device with long heavy slices",
            kairos,
            List.of(heavy("h", 50, 2 * GB), light("tight", 5, GB, 3)),
            "gpu0=[h] gpu1=[tight]"),
        Arguments.of(
            "kairos respects memory even when time would allow",
            kairos,
            List.of(light("a", 1, 10 * GB, 20), light("b", 1, 10 * GB, 20)),
            "gpu0=[a] gpu1=[b]"),
        Arguments.of(
            "kairos fills the fullest feasible device first (best fit)",
            kairos,
            List.of(heavy("h1", 150, 2 * GB), heavy("h2", 100, 2 * GB), light("a", 100, GB, 30)),
            "gpu0=[h1, a] gpu1=[h2]"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void shouldPlace(String label, PlacementPolicy policy, List<ModelDemand> models, String want) {
    Placement p = policy.place(GPUS, models);
    assertThat(render(p)).isEqualTo(want);
    // a pure function: the same inputs give the same placement
    assertThat(render(policy.place(GPUS, models))).isEqualTo(want);
  }

  private static String render(Placement p) {
    String devices =
        p.assignments().entrySet().stream()
            .map(
                e ->
                    e.getKey()
                        + "="
                        + e.getValue().stream().map(ModelDemand::name).collect(Collectors.toList()))
            .collect(Collectors.joining(" "));
    String unplaced =
        p.unplaced().isEmpty()
            ? ""
            : "unplaced=" + p.unplaced().stream().map(ModelDemand::name).toList();
    return (devices + " " + unplaced).trim();
  }
}
