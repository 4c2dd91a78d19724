package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kairos.autoscaler.scaler.ScaleTarget;
import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.route.ReplicaSet;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * What the autoscaler samples: short requests count for the time they were in flight between two
 * samples, even when none is in flight at the moment of either sample.
 */
class MeanConcurrencyTest {
  private static final long MS = 1_000_000;
  private final AtomicLong now = new AtomicLong(5_000 * MS);
  private final MeanConcurrency mean = new MeanConcurrency(now::get);
  private final ScaleTarget target = new ScaleTarget("mlp", "1");

  @Test
  void shouldAverageShortRequestsOverTheSamplingInterval() {
    ReplicaSet set = new ReplicaSet();
    Replica r = new Replica("r1", "127.0.0.1", 1, 0, now::get);
    set.add(r);
    assertThat(mean.since(target, set)).as("first reading: in flight now").isZero();

    // ten 13 ms requests one after another in a 250 ms interval, none in flight at either end
    for (int i = 0; i < 10; i++) {
      now.addAndGet(10 * MS);
      r.acquire();
      now.addAndGet(13 * MS);
      r.release();
    }
    now.addAndGet(20 * MS);

    assertThat(mean.since(target, set)).isCloseTo(130.0 / 250, within(1e-9));
    now.addAndGet(250 * MS);
    assertThat(mean.since(target, set)).as("an idle interval").isZero();
  }

  @Test
  void shouldStartOverWhenTheVersionGetsANewReplicaSet() {
    ReplicaSet first = new ReplicaSet();
    first.add(new Replica("r1", "127.0.0.1", 1, 0, now::get));
    mean.since(target, first);
    ReplicaSet second = new ReplicaSet();
    Replica r = new Replica("r2", "127.0.0.1", 1, 0, now::get);
    second.add(r);
    r.acquire();
    now.addAndGet(100 * MS);

    assertThat(mean.since(target, second)).as("in flight now, not a difference of sets").isOne();
  }
}
