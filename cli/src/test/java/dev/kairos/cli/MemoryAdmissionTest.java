package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A process starts only when the machine has room for what processes here really take. */
class MemoryAdmissionTest {
  private static final long MIB = 1L << 20;

  @Test
  void shouldAssumeASizeBeforeAnyProcessIsMeasured() {
    MemoryAdmission m = new MemoryAdmission(() -> 1024 * MIB, List::of, 512 * MIB);
    assertThat(m.processBytes()).isEqualTo(MemoryAdmission.ASSUMED_PROCESS_BYTES);
    assertThat(m.fitsProcess()).isTrue();
  }

  @Test
  void shouldRefuseWhenTheMeasuredProcessesWouldNotFitBesideTheReserve() {
    MemoryAdmission m =
        new MemoryAdmission(() -> 800 * MIB, () -> List.of(300 * MIB, 500 * MIB), 512 * MIB);
    assertThat(m.processBytes()).isEqualTo(400 * MIB);
    assertThat(m.fitsProcess()).isFalse();
    assertThat(m.why()).contains("400.0 MiB").contains("800.0 MiB").contains("512.0 MiB");
  }

  @Test
  void shouldIgnoreProcessesThatCouldNotBeRead() {
    MemoryAdmission m = new MemoryAdmission(() -> 2048 * MIB, () -> List.of(-1L, 100 * MIB), 0);
    assertThat(m.processBytes()).isEqualTo(100 * MIB);
    assertThat(m.fitsProcess()).isTrue();
  }

  @Test
  void shouldReadThisMachinesMemory() {
    assertThat(MemoryAdmission.meminfo("MemTotal:")).isPositive();
    assertThat(MemoryAdmission.residentBytes(ProcessHandle.current().pid())).isPositive();
  }
}
