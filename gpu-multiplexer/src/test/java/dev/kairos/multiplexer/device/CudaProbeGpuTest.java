package dev.kairos.multiplexer.device;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Needs a CUDA GPU and driver: {@code mvn -pl gpu-multiplexer test -Dgroups=gpu}. */
@Tag("gpu")
class CudaProbeGpuTest {
  @Test
  void shouldFindAtLeastOneGpuWithItsMemory() {
    var gpus = new CudaProbe().probe();
    assertThat(gpus).isNotEmpty();
    assertThat(gpus.get(0).memoryBytes()).isGreaterThan(1L << 30);
    assertThat(gpus.get(0).id()).isEqualTo("gpu0");
  }
}
