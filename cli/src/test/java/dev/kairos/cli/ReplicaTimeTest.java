package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReplicaTimeTest {
  private static final long S = 1_000_000_000L;
  private final AtomicLong now = new AtomicLong();
  private final ReplicaTime time = new ReplicaTime(now::get);

  @Test
  void shouldCountEachReplicaFromItsStartUntilItEndsPerModelVersion() {
    time.started("a v1#10", "a", "1");
    now.addAndGet(2 * S);
    time.started("a v1#11", "a", "1");
    time.started("b v1#12", "b", "1");
    now.addAndGet(3 * S);
    time.ended("a v1#10");
    now.addAndGet(S);
    // a#10: 5 s (ended); a#11: 4 s and running; b: 4 s
    assertThat(time.seconds("a", "1")).isCloseTo(9.0, within(1e-9));
    assertThat(time.seconds("b", "1")).isCloseTo(4.0, within(1e-9));
    assertThat(time.seconds("a", "2")).isZero();
  }

  @Test
  void shouldCountAReplicaEndedTwiceOnce() {
    time.started("a v1#10", "a", "1");
    now.addAndGet(S);
    time.ended("a v1#10");
    now.addAndGet(S);
    time.ended("a v1#10"); // stopped, then its exit is seen
    assertThat(time.seconds("a", "1")).isCloseTo(1.0, within(1e-9));
  }
}
