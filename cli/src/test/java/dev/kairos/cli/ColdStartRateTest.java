package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.sdk.time.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The warm pool's size follows the process starts of the last window. */
class ColdStartRateTest {
  private final ManualClock clock = new ManualClock();
  private final ColdStartRate rate = new ColdStartRate(clock, Duration.ofMinutes(1));

  @Test
  void shouldKeepTheFloorWhenNothingStarted() {
    assertThat(rate.poolSize(1, 4)).isEqualTo(1);
  }

  @Test
  void shouldGrowWithABurstUpToTheCeiling() {
    for (int i = 0; i < 3; i++) {
      rate.record();
    }
    assertThat(rate.poolSize(1, 4)).isEqualTo(3);
    for (int i = 0; i < 5; i++) {
      rate.record();
    }
    assertThat(rate.poolSize(1, 4)).isEqualTo(4);
  }

  @Test
  void shouldShrinkBackOnceTheBurstLeavesTheWindow() {
    rate.record();
    rate.record();
    clock.advance(Duration.ofSeconds(40));
    rate.record();
    assertThat(rate.poolSize(0, 4)).isEqualTo(3);
    clock.advance(Duration.ofSeconds(20));
    assertThat(rate.poolSize(0, 4)).isEqualTo(1);
    clock.advance(Duration.ofSeconds(40));
    assertThat(rate.poolSize(0, 4)).isZero();
  }
}
