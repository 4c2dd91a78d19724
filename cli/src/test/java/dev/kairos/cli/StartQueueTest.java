package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Starts go in the order of their oldest waiting request, a bounded number at once per lane. */
class StartQueueTest {
  private final List<String> begun = new ArrayList<>();
  private final List<CompletableFuture<String>> running = new ArrayList<>();

  private CompletableFuture<String> submit(
      StartQueue q, StartQueue.Lane lane, long since, String name) {
    return q.submit(
        lane,
        since,
        () -> {
          begun.add(name);
          CompletableFuture<String> f = new CompletableFuture<>();
          running.add(f);
          return f;
        });
  }

  @Test
  void shouldStartTheModelThatHasWaitedLongestFirst() {
    StartQueue q = new StartQueue(1, 1, () -> true, null);
    submit(q, StartQueue.Lane.PROCESS, 50, "first-come");
    submit(q, StartQueue.Lane.PROCESS, 30, "c");
    submit(q, StartQueue.Lane.PROCESS, 10, "a");
    submit(q, StartQueue.Lane.PROCESS, 20, "b");
    assertThat(begun).containsExactly("first-come");
    assertThat(q.waiting(StartQueue.Lane.PROCESS)).isEqualTo(3);

    running.get(0).complete("done");
    running.get(1).complete("done");
    running.get(2).complete("done");

    assertThat(begun).containsExactly("first-come", "a", "b", "c");
  }

  @Test
  void shouldRunNoMoreThanItsBoundAtOnce() {
    StartQueue q = new StartQueue(2, 1, () -> true, null);
    for (int i = 0; i < 5; i++) {
      submit(q, StartQueue.Lane.PROCESS, i, "p" + i);
    }
    assertThat(q.running(StartQueue.Lane.PROCESS)).isEqualTo(2);
    running.get(0).completeExceptionally(new IllegalStateException("failed to start"));
    assertThat(q.running(StartQueue.Lane.PROCESS)).isEqualTo(2);
    assertThat(begun).containsExactly("p0", "p1", "p2");
  }

  @Test
  void shouldNotKeepAHostLoadBehindProcessStarts() {
    StartQueue q = new StartQueue(1, 1, () -> true, null);
    submit(q, StartQueue.Lane.PROCESS, 1, "jvm-1");
    submit(q, StartQueue.Lane.PROCESS, 2, "jvm-2");
    CompletableFuture<String> load = submit(q, StartQueue.Lane.HOST, 3, "load");

    assertThat(begun).containsExactly("jvm-1", "load");
    running.get(1).complete("loaded");
    assertThat(load).isCompletedWithValue("loaded");
  }

  @Test
  void shouldHoldProcessStartsWhileTheMachineHasNoMemoryForThem() {
    AtomicBoolean fits = new AtomicBoolean(false);
    StartQueue q = new StartQueue(4, 1, fits::get, null);
    submit(q, StartQueue.Lane.PROCESS, 1, "big");
    submit(q, StartQueue.Lane.HOST, 2, "light");
    assertThat(begun).containsExactly("light");

    fits.set(true);
    q.poke();
    assertThat(begun).containsExactly("light", "big");
  }

  @Test
  void shouldFailTheStartWhoseStepThrowsAndGoOn() {
    StartQueue q = new StartQueue(1, 1, () -> true, null);
    CompletableFuture<Object> broken =
        q.submit(
            StartQueue.Lane.PROCESS,
            1,
            () -> {
              throw new IllegalStateException("cannot fork");
            });
    submit(q, StartQueue.Lane.PROCESS, 2, "next");
    assertThat(broken).isCompletedExceptionally();
    assertThat(begun).containsExactly("next");
  }
}
