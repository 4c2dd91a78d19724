package dev.kairos.multiplexer.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.multiplexer.device.Device;
import dev.kairos.multiplexer.placement.ModelDemand;
import dev.kairos.multiplexer.placement.SloAwarePlacement;
import dev.kairos.multiplexer.placement.WorkloadClass;
import dev.kairos.multiplexer.profile.BatchLatency;
import dev.kairos.multiplexer.profile.ModelProfile;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServingPlacementTest {
  private static final long MS = 1_000_000;
  private static final long GB = 1L << 30;
  private final ServingPlacement placement =
      new ServingPlacement(new SloAwarePlacement(0.9, 8 * MS), 8 * MS);

  @Test
  void shouldPutALightAndAHeavyModelTogetherWhenEveryPredictedP99KeepsItsSlo() {
    List<Device> cpus = List.of(Device.cpu("cpu0", 1, 8 * GB), Device.cpu("cpu1", 1, 8 * GB));

    PlacementDecision d =
        placement.place(cpus, List.of(cpu(light("mlp", 5)), cpu(heavy("resnet", 5))));

    assertThat(d.site("mlp").orElseThrow().device())
        .isEqualTo(d.site("resnet").orElseThrow().device());
    assertThat(d.site("mlp").orElseThrow().shared()).isTrue();
    assertThat(d.site("mlp").orElseThrow().reason())
        .contains("with resnet", "kairos-slo-aware placed it there", "predicted p99");
    assertThat(d.placement().devicesUsed()).isEqualTo(1);
  }

  @Test
  void shouldGiveEachModelADeviceOfItsOwnWhenTogetherTheyWouldMissTheirSlos() {
    List<Device> cpus = List.of(Device.cpu("cpu0", 1, 8 * GB), Device.cpu("cpu1", 1, 8 * GB));

    PlacementDecision d = placement.place(cpus, List.of(cpu(heavy("a", 30)), cpu(heavy("b", 30))));

    assertThat(d.site("a").orElseThrow().device().id())
        .isNotEqualTo(d.site("b").orElseThrow().device().id());
    assertThat(d.site("a").orElseThrow().shared()).isFalse();
  }

  @Test
  void shouldShareTheLeastUtilisedDeviceWhenThePolicyCannotPlaceAModel() {
    List<Device> one = List.of(Device.cpu("cpu0", 2, 8 * GB));

    PlacementDecision d = placement.place(one, List.of(cpu(heavy("a", 30)), cpu(heavy("b", 30))));

    assertThat(d.refused()).isEmpty();
    assertThat(d.site("b").orElseThrow().device().id()).isEqualTo("cpu0");
    assertThat(d.site("b").orElseThrow().shared()).isTrue();
    assertThat(d.site("b").orElseThrow().reason()).contains("shares the least-utilised one");
    assertThat(d.site("a").orElseThrow().reason()).contains("puts its SLO at risk");
  }

  @Test
  void shouldRefuseAGpuModelWithAClearReasonWhereThereIsNoGpu() {
    List<Device> cpus = List.of(Device.cpu("cpu0", 2, 8 * GB));

    PlacementDecision d =
        placement.place(
            cpus, List.of(new ServedModel(light("llm", 1), Device.Kind.GPU), cpu(light("mlp", 1))));

    assertThat(d.refused().get("llm")).contains("device.kind: gpu", "no GPU");
    assertThat(d.site("mlp")).isPresent();
    assertThat(d.placement().unplaced()).extracting(ModelDemand::name).containsExactly("llm");
  }

  @Test
  void shouldNeverPutAModelOnADeviceWithoutTheMemoryForIt() {
    List<Device> small = List.of(Device.cpu("cpu0", 2, GB / 2));

    PlacementDecision d = placement.place(small, List.of(cpu(heavy("big", 1))));

    assertThat(d.refused().get("big")).contains("needs 1.0 GiB", "no cpu device");
  }

  private static ServedModel cpu(ModelDemand d) {
    return new ServedModel(d, Device.Kind.CPU);
  }

  static ModelDemand light(String name, double rate) {
    return new ModelDemand(
        name,
        new ModelProfile(
            name,
            "cpu:2",
            List.of(new BatchLatency(1, MS / 2, MS), new BatchLatency(8, MS, 2 * MS)),
            64L << 20,
            0,
            "measured"),
        rate,
        100 * MS,
        WorkloadClass.LIGHT);
  }

  static ModelDemand heavy(String name, double rate) {
    return new ModelDemand(
        name,
        new ModelProfile(
            name,
            "cpu:2",
            List.of(new BatchLatency(1, 25 * MS, 35 * MS), new BatchLatency(4, 90 * MS, 120 * MS)),
            GB,
            0,
            "measured"),
        rate,
        500 * MS,
        WorkloadClass.HEAVY);
  }
}
