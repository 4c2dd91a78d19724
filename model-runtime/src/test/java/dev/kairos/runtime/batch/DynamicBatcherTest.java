package dev.kairos.runtime.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.runtime.core.DeadlineExceededException;
import dev.kairos.runtime.core.OverloadedException;
import dev.kairos.sdk.model.BatchingConfig;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.tensor.Tensor;
import dev.kairos.sdk.time.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class DynamicBatcherTest {
  private final ManualClock clock = new ManualClock();
  private final List<Batch> dispatched = new ArrayList<>();

  private DynamicBatcher batcher(int maxBatch, Duration delay, int maxQueue, List<Integer> pref) {
    return new DynamicBatcher(
        "m", new BatchingConfig(maxBatch, delay, maxQueue, pref), clock, 1, dispatched::add);
  }

  private static InferenceRequest rows(int n) {
    return InferenceRequest.of(Tensor.ofFloats("x", new long[] {n, 2}, new float[n * 2]));
  }

  @Test
  void shouldDispatchAFullBatchAtOnceWithoutWaitingForTheDelay() {
    DynamicBatcher b = batcher(4, Duration.ofMillis(5), 16, List.of());
    for (int i = 0; i < 4; i++) {
      b.submit(rows(1), Long.MAX_VALUE);
    }
    assertThat(dispatched).hasSize(1);
    assertThat(dispatched.get(0).rows()).isEqualTo(4);
    assertThat(dispatched.get(0).requests()).hasSize(4);
  }

  @Test
  void shouldHoldAPartialBatchUntilTheOldestRequestHasWaitedMaxQueueDelay() {
    DynamicBatcher b = batcher(8, Duration.ofMillis(5), 16, List.of());
    b.submit(rows(1), Long.MAX_VALUE);
    clock.advance(Duration.ofMillis(2));
    b.submit(rows(2), Long.MAX_VALUE);
    long next = b.dispatchDue();
    assertThat(dispatched).isEmpty();
    assertThat(next).isEqualTo(clock.monotonicNanos() + Duration.ofMillis(3).toNanos());
    clock.advance(Duration.ofMillis(3));
    b.dispatchDue();
    assertThat(dispatched).hasSize(1);
    assertThat(dispatched.get(0).rows()).isEqualTo(3);
  }

  @Test
  void shouldDispatchAsSoonAsAPreferredBatchSizeIsReached() {
    DynamicBatcher b = batcher(16, Duration.ofMillis(50), 64, List.of(4, 8));
    b.submit(rows(1), Long.MAX_VALUE);
    b.submit(rows(2), Long.MAX_VALUE);
    assertThat(dispatched).isEmpty();
    b.submit(rows(1), Long.MAX_VALUE);
    assertThat(dispatched).hasSize(1);
    assertThat(dispatched.get(0).rows()).isEqualTo(4);
  }

  @Test
  void shouldNotSplitARequestAcrossBatchesNorExceedMaxBatchSize() {
    DynamicBatcher b = batcher(4, Duration.ZERO.plusMillis(1), 16, List.of());
    b.submit(rows(3), Long.MAX_VALUE);
    b.submit(rows(2), Long.MAX_VALUE);
    clock.advance(Duration.ofMillis(1));
    b.dispatchDue();
    assertThat(dispatched).hasSize(1);
    assertThat(dispatched.get(0).rows()).isEqualTo(3);
    b.batchDone();
    assertThat(dispatched).hasSize(2);
    assertThat(dispatched.get(1).rows()).isEqualTo(2);
  }

  @Test
  void shouldRejectAtOnceWhenTheQueueIsFull() {
    DynamicBatcher b = batcher(8, Duration.ofMillis(5), 2, List.of());
    b.submit(rows(1), Long.MAX_VALUE);
    b.submit(rows(1), Long.MAX_VALUE);
    CompletableFuture<InferenceResponse> third = b.submit(rows(1), Long.MAX_VALUE);
    assertThat(third).isCompletedExceptionally();
    assertThat(cause(third)).isInstanceOf(OverloadedException.class).hasMessageContaining("'m'");
    assertThat(b.queued()).isEqualTo(2);
  }

  @Test
  void shouldAnswerARequestWhoseDeadlinePassesInTheQueueAndNeverDispatchIt() {
    DynamicBatcher b = batcher(8, Duration.ofMillis(10), 16, List.of());
    long deadline = clock.monotonicNanos() + Duration.ofMillis(3).toNanos();
    CompletableFuture<InferenceResponse> late = b.submit(rows(1), deadline);
    CompletableFuture<InferenceResponse> patient = b.submit(rows(1), Long.MAX_VALUE);
    assertThat(b.dispatchDue()).isEqualTo(deadline);
    clock.advance(Duration.ofMillis(3));
    b.dispatchDue();
    assertThat(cause(late)).isInstanceOf(DeadlineExceededException.class);
    assertThat(patient).isNotDone();
    clock.advance(Duration.ofMillis(7));
    b.dispatchDue();
    assertThat(dispatched).hasSize(1);
    assertThat(dispatched.get(0).requests())
        .extracting(PendingRequest::result)
        .containsExactly(patient);
  }

  @Test
  void shouldExpireQueuedRequestsWhileTheWorkerIsBusy() {
    DynamicBatcher b = batcher(1, Duration.ZERO, 16, List.of());
    b.submit(rows(1), Long.MAX_VALUE);
    assertThat(dispatched).hasSize(1);
    CompletableFuture<InferenceResponse> waiting =
        b.submit(rows(1), clock.monotonicNanos() + 1_000_000);
    clock.advance(Duration.ofMillis(2));
    b.batchDone();
    assertThat(cause(waiting)).isInstanceOf(DeadlineExceededException.class);
    assertThat(dispatched).hasSize(1);
  }

  @Test
  void shouldCollectRequestsWhileTheWorkerIsBusyAndDispatchThemTogether() {
    DynamicBatcher b = batcher(8, Duration.ZERO, 16, List.of());
    b.submit(rows(1), Long.MAX_VALUE);
    assertThat(dispatched).hasSize(1);
    for (int i = 0; i < 5; i++) {
      b.submit(rows(1), Long.MAX_VALUE);
    }
    assertThat(dispatched).hasSize(1);
    assertThat(b.inFlight()).isEqualTo(1);
    b.batchDone();
    assertThat(dispatched).hasSize(2);
    assertThat(dispatched.get(1).rows()).isEqualTo(5);
  }

  @Test
  void shouldNotMixRequestsWithDifferentInnerShapes() {
    DynamicBatcher b = batcher(8, Duration.ofMillis(1), 16, List.of());
    b.submit(rows(1), Long.MAX_VALUE);
    b.submit(
        InferenceRequest.of(Tensor.ofFloats("x", new long[] {1, 3}, new float[3])), Long.MAX_VALUE);
    b.submit(rows(1), Long.MAX_VALUE);
    clock.advance(Duration.ofMillis(1));
    b.dispatchDue();
    assertThat(dispatched).hasSize(1);
    assertThat(dispatched.get(0).rows()).isEqualTo(2);
    b.batchDone();
    assertThat(dispatched).hasSize(2);
    assertThat(dispatched.get(1).requests().get(0).request().inputs().get(0).dim(1)).isEqualTo(3);
  }

  @Test
  void shouldSendEachRequestAloneWhenBatchingIsOff() {
    DynamicBatcher b = new DynamicBatcher("m", BatchingConfig.DEFAULT, clock, 2, dispatched::add);
    for (int i = 0; i < 3; i++) {
      b.submit(rows(1), Long.MAX_VALUE);
    }
    assertThat(dispatched).hasSize(2).allSatisfy(x -> assertThat(x.requests()).hasSize(1));
    b.batchDone();
    assertThat(dispatched).hasSize(3);
  }

  @Test
  void shouldFailQueuedRequestsOnClose() {
    DynamicBatcher b = batcher(8, Duration.ofMillis(5), 16, List.of());
    CompletableFuture<InferenceResponse> f = b.submit(rows(1), Long.MAX_VALUE);
    b.close();
    assertThat(cause(f)).isInstanceOf(OverloadedException.class);
    assertThat(cause(b.submit(rows(1), Long.MAX_VALUE))).isInstanceOf(OverloadedException.class);
  }

  private static Throwable cause(CompletableFuture<?> f) {
    try {
      f.get();
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
