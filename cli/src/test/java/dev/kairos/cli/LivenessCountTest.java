package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.sdk.time.ManualClock;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LivenessCountTest {
  private final ManualClock clock = new ManualClock();

  /** Probe results in order (x: unanswered, o: answered) and whether the last makes it hung. */
  @ParameterizedTest(name = "{0} -> hung {1}")
  @CsvSource({
    "x, false",
    "xx, false",
    "xxx, true",
    "xxox, false",
    "xxoxxx, true",
    // paused now and then (the arbiter's slices, a GC): never three in a row
    "xoxoxoxoxox, false",
  })
  void shouldCallAReplicaHungOnlyAfterThreeUnansweredProbesInARow(String probes, boolean hung) {
    LivenessCount count = new LivenessCount(3, clock);
    LivenessCount.Failing last = null;
    for (char c : probes.toCharArray()) {
      clock.advance(Duration.ofSeconds(2));
      if (c == 'o') {
        count.answered("r");
        last = null;
      } else {
        last = count.missed("r");
      }
    }
    assertThat(last != null).isEqualTo(hung);
  }

  @Test
  void shouldSayHowLongAHungReplicaWentUnanswered() {
    LivenessCount count = new LivenessCount(2, clock);
    assertThat(count.missed("r")).isNull();
    clock.advance(Duration.ofSeconds(2));
    LivenessCount.Failing f = count.missed("r");
    assertThat(f.count()).isEqualTo(2);
    assertThat(clock.monotonicNanos() - f.sinceNanos()).isEqualTo(2_000_000_000L);
  }

  @Test
  void shouldForgetReplicasThatLeftAndCountOthersApart() {
    LivenessCount count = new LivenessCount(2, clock);
    count.missed("a");
    count.missed("b");
    count.retain(Set.of("b"));
    assertThat(count.missed("a")).isNull();
    assertThat(count.missed("b")).isNotNull();
    assertThatThrownBy(() -> new LivenessCount(0, clock)).hasMessageContaining("threshold = 0");
  }
}
