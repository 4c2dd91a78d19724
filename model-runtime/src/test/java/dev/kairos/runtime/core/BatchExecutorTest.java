package dev.kairos.runtime.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.multiplexer.arbiter.ArbiterClient;
import dev.kairos.multiplexer.arbiter.DeviceLease;
import dev.kairos.multiplexer.arbiter.SliceRejectedException;
import dev.kairos.multiplexer.arbiter.SliceRequest;
import dev.kairos.runtime.batch.Batch;
import dev.kairos.runtime.batch.PendingRequest;
import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.runtime.metrics.RuntimeMetrics;
import dev.kairos.sdk.model.ModelSignature;
import dev.kairos.sdk.model.TensorSpec;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.oip.InvalidInputException;
import dev.kairos.sdk.tensor.DataType;
import dev.kairos.sdk.tensor.Tensor;
import dev.kairos.sdk.time.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The executor under a fake clock: a fake engine that takes 1 ms of virtual time per row, and an
 * arbiter whose leases advise a slice cap.
 */
class BatchExecutorTest {
  private final ManualClock clock = new ManualClock();
  private final List<Integer> engineBatchRows = new ArrayList<>();
  private final List<SliceRequest> asked = new ArrayList<>();

  /** Doubles its input; takes 1 ms of virtual time per row; rejects a negative first element. */
  private final LoadedModel doubler =
      new LoadedModel() {
        @Override
        public ModelSignature signature() {
          TensorSpec spec = new TensorSpec("x", DataType.FP32, new long[] {-1, 1});
          return new ModelSignature(List.of(spec), List.of(spec));
        }

        @Override
        public String platform() {
          return "test";
        }

        @Override
        public InferenceResponse infer(InferenceRequest request) {
          float[] in = request.requireInput("x").asFloatArray();
          if (in.length > 0 && in[0] < 0) {
            throw new InvalidInputException("input 'x': negative");
          }
          engineBatchRows.add(in.length);
          clock.advance(Duration.ofMillis(in.length));
          float[] out = new float[in.length];
          for (int i = 0; i < in.length; i++) {
            out[i] = in[i] * 2;
          }
          return InferenceResponse.of(Tensor.ofFloats("x", new long[] {in.length, 1}, out));
        }

        @Override
        public void close() {}
      };

  private ArbiterClient cappedAt(Duration cap) {
    return r -> {
      asked.add(r);
      return new DeviceLease() {
        @Override
        public void close() {}

        @Override
        public long sliceCapNanos() {
          return cap.toNanos();
        }
      };
    };
  }

  private BatchExecutor executor(ArbiterClient arbiter) {
    return new BatchExecutor(
        "m", new LoadedModelHolder("m", doubler), arbiter, clock, new RuntimeMetrics("m", "1"), 1);
  }

  private static PendingRequest pending(float value) {
    InferenceRequest r =
        new InferenceRequest(
            "r",
            Map.of(),
            List.of(Tensor.ofFloats("x", new long[] {1, 1}, new float[] {value})),
            List.of());
    return new PendingRequest(r, "k", 1, 0, Long.MAX_VALUE, new CompletableFuture<>());
  }

  private static Batch batch(PendingRequest... requests) {
    return new Batch(List.of(requests), requests.length, 0);
  }

  private static float answer(PendingRequest p) throws Exception {
    return p.result().get(1, TimeUnit.SECONDS).outputs().get(0).asFloatArray()[0];
  }

  @Test
  void shouldRunABatchLongerThanTheSliceCapInPartsEachUnderItsOwnLease() throws Exception {
    BatchExecutor executor = executor(cappedAt(Duration.ofMillis(3)));
    PendingRequest[] requests = new PendingRequest[8];
    for (int i = 0; i < requests.length; i++) {
      requests[i] = pending(i);
    }

    executor.run(batch(requests));

    // 1 ms per row (the initial estimate, confirmed by the first part): 3 rows fit a 3 ms slice.
    assertThat(engineBatchRows).containsExactly(3, 3, 2);
    assertThat(asked)
        .extracting(SliceRequest::estimatedNanos)
        .containsExactly(8_000_000L, 5_000_000L, 2_000_000L);
    for (int i = 0; i < requests.length; i++) {
      assertThat(answer(requests[i])).isEqualTo(2f * i);
    }
  }

  @Test
  void shouldRunTheWholeBatchUnderOneLeaseWhenTheArbiterSetsNoCap() throws Exception {
    BatchExecutor executor = executor(ArbiterClient.unshared());
    PendingRequest a = pending(1);
    PendingRequest b = pending(2);
    PendingRequest c = pending(3);

    executor.run(batch(a, b, c));

    assertThat(engineBatchRows).containsExactly(3);
    assertThat(answer(c)).isEqualTo(6f);
  }

  @Test
  void shouldRunAtLeastOneRequestPerLeaseEvenWhenItAloneExceedsTheCap() throws Exception {
    BatchExecutor executor = executor(cappedAt(Duration.ofNanos(1)));
    PendingRequest a = pending(1);
    PendingRequest b = pending(2);

    executor.run(batch(a, b));

    assertThat(engineBatchRows).containsExactly(1, 1);
    assertThat(asked).hasSize(2);
    assertThat(answer(b)).isEqualTo(4f);
  }

  @Test
  void shouldFailOnlyTheRequestsNotYetRunWhenALaterLeaseIsRefused() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    ArbiterClient refuseSecond =
        r -> {
          if (calls.getAndIncrement() == 1) {
            throw new SliceRejectedException("model 'm' cannot meet its deadline");
          }
          return cappedAt(Duration.ofMillis(2)).acquire(r);
        };
    BatchExecutor executor = executor(refuseSecond);
    PendingRequest[] requests = {pending(1), pending(2), pending(3), pending(4)};

    executor.run(batch(requests));

    assertThat(answer(requests[0])).isEqualTo(2f);
    assertThat(answer(requests[1])).isEqualTo(4f);
    assertThat(requests[2].result()).isCompletedExceptionally();
    assertThat(requests[3].result()).isCompletedExceptionally();
  }

  @Test
  void shouldRunEachRequestAloneWhenAPartFailsOnBadInputSoOnlyTheBadOneFails() throws Exception {
    BatchExecutor executor = executor(ArbiterClient.unshared());
    PendingRequest good = pending(5);
    PendingRequest bad = pending(-1);

    // The bad row comes first, so the engine refuses the whole batch; each then runs alone.
    executor.run(batch(bad, good));

    assertThat(bad.result()).isCompletedExceptionally();
    assertThat(answer(good)).isEqualTo(10f);
    assertThat(asked).isEmpty();
  }
}
