package dev.kairos.runtime.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kairos.sdk.model.BatchingConfig;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.tensor.Tensor;
import dev.kairos.sdk.time.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class BatchTimerTest {
  private final ManualClock clock = new ManualClock();

  private DynamicBatcher batcher(String model, List<String> dispatched, Duration delay) {
    return new DynamicBatcher(
        model, new BatchingConfig(8, delay, 16, List.of()), clock, 1, b -> dispatched.add(model));
  }

  private static InferenceRequest oneRow() {
    return InferenceRequest.of(Tensor.ofFloats("x", new long[] {1, 2}, new float[2]));
  }

  @Test
  void shouldWakeEveryBatcherSharingItWhenItsOwnDelayEnds() {
    List<String> dispatched = new CopyOnWriteArrayList<>();
    try (BatchTimer timer = new BatchTimer(clock, "batcher-shared")) {
      DynamicBatcher slow = batcher("slow", dispatched, Duration.ofMillis(50));
      DynamicBatcher fast = batcher("fast", dispatched, Duration.ofMillis(2));
      slow.start(timer);
      fast.start(timer);
      slow.submit(oneRow(), Long.MAX_VALUE);
      fast.submit(oneRow(), Long.MAX_VALUE);
      clock.advance(Duration.ofMillis(2));
      await().atMost(Duration.ofSeconds(10)).until(() -> dispatched.contains("fast"));
      assertThat(dispatched).containsExactly("fast");
      clock.advance(Duration.ofMillis(48));
      await().atMost(Duration.ofSeconds(10)).until(() -> dispatched.contains("slow"));
    }
  }

  @Test
  void shouldKeepWakingTheOthersWhenOneBatcherSharingItCloses() {
    List<String> dispatched = new CopyOnWriteArrayList<>();
    try (BatchTimer timer = new BatchTimer(clock, "batcher-shared")) {
      DynamicBatcher gone = batcher("gone", dispatched, Duration.ofMillis(2));
      DynamicBatcher stays = batcher("stays", dispatched, Duration.ofMillis(2));
      gone.start(timer);
      stays.start(timer);
      gone.submit(oneRow(), Long.MAX_VALUE);
      gone.close();
      stays.submit(oneRow(), Long.MAX_VALUE);
      clock.advance(Duration.ofMillis(2));
      await().atMost(Duration.ofSeconds(10)).until(() -> dispatched.contains("stays"));
      assertThat(dispatched).containsExactly("stays");
      assertThat(Thread.getAllStackTraces().keySet())
          .anyMatch(t -> t.getName().equals("batcher-shared") && t.isAlive());
    }
  }
}
