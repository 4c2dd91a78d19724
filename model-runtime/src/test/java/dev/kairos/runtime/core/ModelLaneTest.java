package dev.kairos.runtime.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ModelLaneTest {
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final List<CountDownLatch> gates = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    gates.forEach(CountDownLatch::countDown);
    pool.shutdownNow();
  }

  private CountDownLatch gate() {
    CountDownLatch g = new CountDownLatch(1);
    gates.add(g);
    return g;
  }

  private static Runnable held(CountDownLatch gate, List<String> log, String name) {
    return () -> {
      log.add(name + " started");
      try {
        gate.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      log.add(name + " ended");
    };
  }

  @Test
  void shouldRunNoMoreThanItsLimitAtOnceWhateverThePoolHas() {
    ModelLane lane = new ModelLane("lane", pool, 1, 8);
    List<String> log = new CopyOnWriteArrayList<>();
    CountDownLatch gate = gate();
    lane.execute(held(gate, log, "1"));
    lane.execute(held(gate, log, "2"));
    await().until(() -> log.contains("1 started"));
    assertThat(lane.waiting()).isEqualTo(1);
    assertThat(log).containsExactly("1 started");
    gate.countDown();
    await().until(() -> log.size() == 4);
    assertThat(log).containsExactly("1 started", "1 ended", "2 started", "2 ended");
  }

  @Test
  void shouldLetAnotherLaneOnTheSamePoolRunWhileOneIsAtItsLimit() {
    ModelLane busy = new ModelLane("busy", pool, 1, 8);
    ModelLane other = new ModelLane("other", pool, 1, 8);
    List<String> log = new CopyOnWriteArrayList<>();
    busy.execute(held(gate(), log, "busy"));
    CountDownLatch open = new CountDownLatch(0);
    other.execute(held(open, log, "other"));
    await().until(() -> log.contains("other ended"));
    assertThat(log).doesNotContain("busy ended");
  }

  @Test
  void shouldRefuseATaskWhenItsQueueIsFullAndAfterShutdown() throws Exception {
    ModelLane lane = new ModelLane("codec of model 'm'", pool, 1, 1);
    List<String> log = new CopyOnWriteArrayList<>();
    CountDownLatch gate = gate();
    lane.execute(held(gate, log, "1"));
    lane.execute(held(gate, log, "2"));
    assertThatThrownBy(() -> lane.execute(held(gate, log, "3")))
        .isInstanceOf(RejectedExecutionException.class)
        .hasMessageContaining("model 'm'")
        .hasMessageContaining("1 tasks waiting");
    lane.shutdown();
    assertThatThrownBy(() -> lane.execute(() -> {}))
        .isInstanceOf(RejectedExecutionException.class)
        .hasMessageContaining("shut down");
    assertThat(lane.awaitIdle(Duration.ofMillis(1))).isFalse();
    gate.countDown();
    // what was admitted before the shutdown still runs
    assertThat(lane.awaitIdle(Duration.ofSeconds(30))).isTrue();
    assertThat(log).containsExactly("1 started", "1 ended", "2 started", "2 ended");
  }

  @Test
  void shouldGoOnWithTheWaitingTasksAfterOneThrows() throws Exception {
    ModelLane lane = new ModelLane("lane", pool, 1, 8);
    List<String> log = new CopyOnWriteArrayList<>();
    CountDownLatch gate = gate();
    lane.execute(held(gate, log, "1"));
    lane.execute(
        () -> {
          throw new IllegalStateException("boom");
        });
    lane.execute(held(new CountDownLatch(0), log, "3"));
    gate.countDown();
    assertThat(lane.awaitIdle(Duration.ofSeconds(30))).isTrue();
    assertThat(log).containsExactly("1 started", "1 ended", "3 started", "3 ended");
  }
}
