package dev.kairos.multiplexer.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DeviceInventoryTest {
  @Test
  void shouldAskForGpusOnlyOnFirstUseAndOnlyOnce() {
    AtomicInteger probes = new AtomicInteger();
    GpuProbe probe =
        () -> {
          probes.incrementAndGet();
          return List.of(Device.gpu("gpu0", "Tesla V100", 16L << 30));
        };
    DeviceInventory inv = new DeviceInventory(probe, 2, 8L << 30);
    assertThat(probes).hasValue(0);
    assertThat(inv.devices()).extracting(Device::id).containsExactly("gpu0", "cpu0");
    assertThat(inv.gpus()).hasSize(1);
    assertThat(inv.find("cpu0")).get().extracting(Device::cores).isEqualTo(2);
    assertThat(probes).hasValue(1);
  }

  @Test
  void cudaProbeShouldFindNothingWithoutADriver() {
    // This machine has no NVIDIA driver: loading the CUDA runtime fails and the probe says so.
    // On a GPU machine this test is excluded (tag gpu runs CudaProbeGpuTest instead).
    org.junit.jupiter.api.Assumptions.assumeFalse(
        java.nio.file.Files.exists(java.nio.file.Path.of("/dev/nvidiactl")), "a GPU is present");
    assertThat(new CudaProbe().probe()).isEmpty();
  }

  @Test
  void shouldSplitTheCoresIntoCoreSetsWithoutProbingForGpus() {
    AtomicInteger probes = new AtomicInteger();
    GpuProbe probe =
        () -> {
          probes.incrementAndGet();
          return List.of();
        };
    DeviceInventory inv = new DeviceInventory(probe, List.of(0, 1, 2, 4, 5), 2, 10L << 30);

    assertThat(inv.cpus()).extracting(Device::id).containsExactly("cpu0", "cpu1");
    assertThat(inv.cores("cpu0")).containsExactly(0, 1);
    assertThat(inv.cores("cpu1")).containsExactly(2, 4, 5);
    assertThat(inv.cpus()).extracting(Device::memoryBytes).containsOnly(5L << 30);
    assertThat(probes).hasValue(0);
  }

  @Test
  void shouldReadTheKernelsCpuList() {
    assertThat(DeviceInventory.parseCpuList("0-2,5,7-8")).containsExactly(0, 1, 2, 5, 7, 8);
  }

  @Test
  void shouldRefuseMoreCoreSetsThanCores() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new DeviceInventory(List::of, List.of(0, 1), 3, 1L << 30))
        .hasMessageContaining("cpu devices = 3, must be 1 to the 2 cores");
  }
}
