package dev.kairos.runtime.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.sdk.oip.InvalidInputException;
import org.junit.jupiter.api.Test;

class DeadlinesTest {
  private static final long ARRIVAL = 1_000_000_000L;

  private static long after(Object timeout) {
    return Deadlines.deadline(timeout, ARRIVAL, "header") - ARRIVAL;
  }

  @Test
  void shouldReadMicrosecondsMillisecondsAndOtherDurations() {
    assertThat(after("250000")).isEqualTo(250_000_000L);
    assertThat(after(250000)).isEqualTo(250_000_000L);
    assertThat(after("250ms")).isEqualTo(250_000_000L);
    assertThat(after(" 7ms ")).isEqualTo(7_000_000L);
    assertThat(after("1.5s")).isEqualTo(1_500_000_000L);
    assertThat(after("2 ms")).isEqualTo(2_000_000L);
    assertThat(after("500us")).isEqualTo(500_000L);
    assertThat(Deadlines.deadline(null, ARRIVAL, "header")).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void shouldRefuseWhatIsNotATimeoutNamingIt() {
    for (String bad : new String[] {"ms", "12xms", "-5ms", "abc", "", "99999999999999999999ms"}) {
      assertThatThrownBy(() -> after(bad))
          .as(bad)
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("header timeout = '" + bad.trim() + "'");
    }
    assertThatThrownBy(() -> after("0ms"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("must be positive");
  }
}
