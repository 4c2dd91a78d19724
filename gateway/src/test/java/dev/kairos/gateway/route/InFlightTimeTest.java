package dev.kairos.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A replica's in-flight time: what its requests add up to, whoever samples it and when. */
class InFlightTimeTest {
  private static final long MS = 1_000_000;
  private final AtomicLong now = new AtomicLong(1_000 * MS);

  private Replica replica(String id, int capacity) {
    return new Replica(id, "127.0.0.1", 1, capacity, now::get);
  }

  @Test
  void shouldCountEachRequestForTheTimeItWasInFlight() {
    Replica r = replica("a", 0);
    long start = r.inFlightNanos();

    r.acquire(); // 10 ms alone
    now.addAndGet(10 * MS);
    assertThat(r.tryAcquire()).isTrue(); // then 5 ms together with a second one
    now.addAndGet(5 * MS);
    r.release();
    now.addAndGet(5 * MS);
    r.release();
    now.addAndGet(80 * MS); // idle

    // 10 + 2 x 5 + 5 = 25 request-ms over 100 ms: a mean concurrency of 0.25, which an
    // instantaneous sample at the end (0 in flight) would not see
    assertThat(r.inFlightNanos() - start).isEqualTo(25 * MS);
    assertThat(r.inFlight()).isZero();
  }

  @Test
  void shouldNotCountARequestTheReplicaRefusedForItsCapacity() {
    Replica r = replica("a", 1);
    assertThat(r.tryAcquire()).isTrue();
    assertThat(r.tryAcquire()).as("full").isFalse();
    now.addAndGet(10 * MS);
    assertThat(r.inFlightNanos()).isEqualTo(10 * MS);
  }

  @Test
  void shouldKeepTheInFlightTimeOfRemovedReplicasSoTheSetsTotalNeverDecreases() {
    ReplicaSet set = new ReplicaSet();
    Replica a = replica("a", 0);
    Replica b = replica("b", 0);
    set.add(a);
    set.add(b);
    a.acquire();
    b.acquire();
    now.addAndGet(10 * MS);
    a.release();
    b.release();
    assertThat(set.inFlightNanos()).isEqualTo(20 * MS);

    set.remove("a");
    now.addAndGet(10 * MS);

    assertThat(set.inFlightNanos()).isEqualTo(20 * MS);
  }
}
