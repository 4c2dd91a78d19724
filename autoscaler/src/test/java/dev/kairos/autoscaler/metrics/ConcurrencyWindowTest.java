package dev.kairos.autoscaler.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConcurrencyWindowTest {
  private static final long S = 1_000_000_000L;
  private final ConcurrencyWindow window = new ConcurrencyWindow(Duration.ofSeconds(60));

  @Test
  void shouldBeIdleWithoutSamples() {
    assertThat(window.average(100 * S, Duration.ofSeconds(60))).isZero();
  }

  @Test
  void shouldAverageSamplesWithinASecondThenAcrossSeconds() {
    window.record(10 * S, 2);
    window.record(10 * S + S / 2, 4); // second 10 averages 3
    window.record(11 * S, 5);
    assertThat(window.average(11 * S, Duration.ofSeconds(60))).isCloseTo(4.0, within(1e-9));
  }

  @Test
  void shouldCountSecondsWithoutSamplesAsZero() {
    window.record(10 * S, 6);
    window.record(12 * S, 6);
    assertThat(window.average(12 * S, Duration.ofSeconds(60))).isCloseTo(4.0, within(1e-9));
    assertThat(window.average(13 * S, Duration.ofSeconds(60))).isCloseTo(3.0, within(1e-9));
  }

  @Test
  void shouldSeeOnlyThePanicWindowsRecentSeconds() {
    for (int s = 0; s < 60; s++) {
      window.record(s * S, s < 54 ? 0 : 12);
    }
    assertThat(window.average(59 * S, Duration.ofSeconds(6))).isCloseTo(12.0, within(1e-9));
    assertThat(window.average(59 * S, Duration.ofSeconds(60))).isCloseTo(1.2, within(1e-9));
  }

  @Test
  void shouldForgetSamplesOlderThanTheWindow() {
    window.record(0, 100);
    for (int s = 1; s <= 200; s++) {
      window.record(s * S, 1);
    }
    assertThat(window.average(200 * S, Duration.ofSeconds(60))).isCloseTo(1.0, within(1e-9));
  }

  @Test
  void shouldGrowWhenALongerWindowIsAskedFor() {
    ConcurrencyWindow small = new ConcurrencyWindow(Duration.ofSeconds(6));
    for (int s = 0; s < 6; s++) {
      small.record(s * S, 6);
    }
    assertThat(small.average(5 * S, Duration.ofSeconds(120))).isCloseTo(6.0, within(1e-9));
    for (int s = 6; s < 100; s++) {
      small.record(s * S, 0);
    }
    assertThat(small.average(99 * S, Duration.ofSeconds(120))).isCloseTo(0.36, within(1e-9));
  }

  @Test
  void shouldAverageExactlyAsANaiveSumWithIdleStretchesAndAWrappingRing() {
    // bursts and long idle stretches (zeros recorded, and seconds with no sample at all), read
    // every second over two windows: the same figure, to the bit, as summing every second's mean
    java.util.SplittableRandom random = new java.util.SplittableRandom(5);
    double[] perSecond = new double[2000];
    for (int s = 0; s < perSecond.length; s++) {
      boolean burst = (s / 150) % 3 == 0;
      double c = burst ? random.nextInt(4) * 0.75 : 0;
      if (burst || s % 7 == 0) {
        window.record(s * S, c);
        perSecond[s] = c;
      }
      for (int w : new int[] {60, 6}) {
        double naive = 0;
        int first = Math.max(0, s - w + 1);
        for (int x = first; x <= s; x++) {
          naive += perSecond[x];
        }
        naive /= s - first + 1;
        assertThat(window.average(s * S, Duration.ofSeconds(w)))
            .as("second %d", s)
            .isEqualTo(naive);
      }
    }
  }
}
