package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.sdk.time.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A model's place in the start queue is when its oldest held request began to wait. */
class WaitingRequestsTest {
  private final ManualClock clock = new ManualClock();
  private final WaitingRequests waiting = new WaitingRequests(clock);

  @Test
  void shouldKeepTheFirstHeldRequestsTimeUntilAReplicaServes() {
    long first = clock.monotonicNanos();
    waiting.held("a");
    clock.advance(Duration.ofSeconds(2));
    waiting.held("a");
    waiting.held("b");
    assertThat(waiting.since("a")).isEqualTo(first);
    assertThat(waiting.since("b")).isEqualTo(first + 2_000_000_000L);

    assertThat(waiting.waits("a")).isTrue();
    waiting.served("a");
    assertThat(waiting.waits("a")).isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(waiting.since("a")).isEqualTo(clock.monotonicNanos());
  }

  @Test
  void shouldPlaceAStartNobodyWaitsForAtNow() {
    clock.advance(Duration.ofSeconds(5));
    assertThat(waiting.since("idle")).isEqualTo(clock.monotonicNanos());
  }
}
