package dev.kairos.multiplexer.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.multiplexer.device.Device;
import dev.kairos.multiplexer.device.DeviceInventory;
import dev.kairos.multiplexer.placement.SloAwarePlacement;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The inventory {@code kairos serve} takes at start, with its GPUs found by the CUDA probe, and the
 * placement serve runs on it. Needs a CUDA GPU and driver: {@code mvn -pl gpu-multiplexer test
 * -DexcludedGroups= -Dgroups=gpu}.
 */
@Tag("gpu")
class ServingPlacementGpuTest {
  private static final long MS = 1_000_000;

  @Test
  void shouldPlaceAGpuModelOnTheProbedGpuAndACpuModelOnACoreSet() {
    List<Device> devices = DeviceInventory.local().devices();
    assertThat(devices).extracting(Device::id).contains("gpu0", "cpu0");

    PlacementDecision d =
        new ServingPlacement(new SloAwarePlacement(0.9, 8 * MS), 8 * MS)
            .place(
                devices,
                List.of(
                    new ServedModel(ServingPlacementTest.heavy("resnet", 5), Device.Kind.GPU),
                    new ServedModel(ServingPlacementTest.light("mlp", 5), Device.Kind.CPU)));

    assertThat(d.refused()).isEmpty();
    assertThat(d.site("resnet").orElseThrow().device().id()).isEqualTo("gpu0");
    assertThat(d.site("mlp").orElseThrow().device().kind()).isEqualTo(Device.Kind.CPU);
  }
}
