package dev.kairos.runtime.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.multiplexer.arbiter.ArbiterClient;
import dev.kairos.multiplexer.arbiter.SliceRejectedException;
import dev.kairos.multiplexer.arbiter.SliceRequest;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.sdk.model.BatchingConfig;
import dev.kairos.sdk.model.ModelConfig;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.oip.InvalidInputException;
import dev.kairos.sdk.tensor.Tensor;
import dev.kairos.sdk.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InferenceServiceTest {
  private final ModelDirectory mlp = TestModels.dir("mlp");
  private final Random random = new Random(7);

  private InferenceRequest request(int rows) {
    float[] v = new float[rows * 16];
    for (int i = 0; i < v.length; i++) {
      v[i] = random.nextFloat();
    }
    return new InferenceRequest(
        "r", Map.of(), List.of(Tensor.ofFloats("features", new long[] {rows, 16}, v)), List.of());
  }

  private InferenceService service(BatchingConfig batching, ArbiterClient arbiter) {
    ModelConfig config = mlp.config().withBatching(batching);
    return new InferenceService(
        "mlp", "1", config, TestModels.load(mlp), new WorkerConfig(1, 2), arbiter, Clock.system());
  }

  @Test
  void shouldAnswerBatchedRequestsExactlyAsUnbatchedOnesAndAskTheArbiterPerBatch()
      throws Exception {
    List<SliceRequest> slices = new CopyOnWriteArrayList<>();
    ArbiterClient counting =
        r -> {
          slices.add(r);
          return () -> {};
        };
    List<InferenceRequest> requests = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      requests.add(request(1 + i % 3));
    }
    List<InferenceResponse> alone = new ArrayList<>();
    try (InferenceService off = service(BatchingConfig.DEFAULT, ArbiterClient.unshared())) {
      for (InferenceRequest r : requests) {
        alone.add(off.infer(r, Long.MAX_VALUE).get(30, TimeUnit.SECONDS));
      }
    }
    try (InferenceService on =
        service(new BatchingConfig(32, Duration.ofMillis(50), 64, List.of()), counting)) {
      List<CompletableFuture<InferenceResponse>> futures = new ArrayList<>();
      for (InferenceRequest r : requests) {
        futures.add(on.infer(r, Long.MAX_VALUE));
      }
      for (int i = 0; i < requests.size(); i++) {
        InferenceResponse got = futures.get(i).get(30, TimeUnit.SECONDS);
        assertThat(got.modelName()).isEqualTo("mlp");
        assertThat(got.outputs().get(0).shape()).isEqualTo(alone.get(i).outputs().get(0).shape());
        assertThat(got.outputs().get(0).asFloatArray())
            .containsExactly(alone.get(i).outputs().get(0).asFloatArray(), withinUlps());
      }
      assertThat(slices).isNotEmpty().hasSizeLessThan(requests.size());
      assertThat(slices).allSatisfy(s -> assertThat(s.model()).isEqualTo("mlp"));
    }
  }

  private static org.assertj.core.data.Offset<Float> withinUlps() {
    return org.assertj.core.data.Offset.offset(1e-5f);
  }

  @Test
  void shouldAnswerWithTheArbitersRejectionAndStayUp() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    ArbiterClient rejectFirst =
        r -> {
          if (calls.getAndIncrement() == 0) {
            throw new SliceRejectedException("device busy");
          }
          return () -> {};
        };
    try (InferenceService s = service(BatchingConfig.DEFAULT, rejectFirst)) {
      assertThatThrownBy(() -> s.infer(request(1), Long.MAX_VALUE).get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(SliceRejectedException.class);
      assertThat(s.infer(request(1), Long.MAX_VALUE).get(30, TimeUnit.SECONDS).outputs())
          .hasSize(1);
    }
  }

  @Test
  void shouldRejectARequestThatDoesNotFitTheSignatureBeforeQueueingIt() {
    try (InferenceService s = service(BatchingConfig.DEFAULT, ArbiterClient.unshared())) {
      InferenceRequest wrong =
          InferenceRequest.of(Tensor.ofFloats("features", new long[] {1, 3}, 1f, 2f, 3f));
      assertThatThrownBy(() -> s.infer(wrong, Long.MAX_VALUE))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("features");
    }
  }

  @Test
  void shouldAnswerNotReadyWhileUnloadedAndServeAgainAfterReload() throws Exception {
    try (InferenceService s = service(BatchingConfig.DEFAULT, ArbiterClient.unshared())) {
      s.unload();
      assertThat(s.ready()).isFalse();
      assertThatThrownBy(() -> s.infer(request(1), Long.MAX_VALUE))
          .isInstanceOf(NotReadyException.class);
      s.reload(TestModels.load(mlp));
      assertThat(
              s.infer(request(2), Long.MAX_VALUE)
                  .get(30, TimeUnit.SECONDS)
                  .outputs()
                  .get(0)
                  .shape())
          .containsExactly(2, 4);
    }
  }
}
