package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Hosts and their budgets follow the machine's memory unless the operator says. */
class HostSizingTest {
  private static final long GIB = 1L << 30;

  @Test
  void shouldSizeFromTheMachinesMemory() {
    assertThat(HostSizing.of(24 * GIB, 2, null, null)).isEqualTo(new HostSizing(2, 3 * GIB));
    assertThat(HostSizing.of(4 * GIB, 8, null, null)).isEqualTo(new HostSizing(1, GIB));
    assertThat(HostSizing.of(256 * GIB, 64, null, null)).isEqualTo(new HostSizing(4, 4 * GIB));
    assertThat(HostSizing.of(-1, 2, null, null)).isEqualTo(new HostSizing(1, GIB));
  }

  @Test
  void shouldTakeTheOperatorsFigures() {
    assertThat(HostSizing.of(24 * GIB, 2, 0, null).hosts()).isZero();
    assertThat(HostSizing.of(24 * GIB, 2, 3, 512L << 20)).isEqualTo(new HostSizing(3, 512L << 20));
  }

  @Test
  void shouldRefuseNonsense() {
    assertThatThrownBy(() -> HostSizing.of(24 * GIB, 2, -1, null))
        .hasMessageContaining("--shared-hosts = -1");
    assertThatThrownBy(() -> HostSizing.of(24 * GIB, 2, 1, 1000L))
        .hasMessageContaining("--host-memory-budget");
  }
}
