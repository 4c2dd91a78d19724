package dev.kairos.runtime.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.runtime.buffer.DirectBufferPool;
import dev.kairos.runtime.buffer.PooledBuffer;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BatchTensorsTest {
  private final Random random = new Random(42);

  private float[] floats(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = random.nextFloat();
    }
    return v;
  }

  @Test
  void shouldConcatenateAlongTheFirstDimensionAndSplitBackExactly() {
    float[] a = floats(2 * 3);
    float[] b = floats(1 * 3);
    float[] c = floats(4 * 3);
    List<InferenceRequest> requests =
        List.of(
            InferenceRequest.of(Tensor.ofFloats("x", new long[] {2, 3}, a)),
            InferenceRequest.of(Tensor.ofFloats("x", new long[] {1, 3}, b)),
            InferenceRequest.of(Tensor.ofFloats("x", new long[] {4, 3}, c)));
    InferenceRequest joined = BatchTensors.concat(requests);
    Tensor x = joined.requireInput("x");
    assertThat(x.shape()).containsExactly(7, 3);
    assertThat(x.buffer().isDirect()).isTrue();

    // An identity "model": the outputs are the inputs under another name.
    InferenceResponse batched = InferenceResponse.of(x.withName("y"));
    List<InferenceResponse> split = BatchTensors.split(batched, new int[] {2, 1, 4});
    assertThat(split.get(0).outputs().get(0).asFloatArray()).containsExactly(a);
    assertThat(split.get(1).outputs().get(0).asFloatArray()).containsExactly(b);
    assertThat(split.get(2).outputs().get(0).asFloatArray()).containsExactly(c);
    assertThat(split.get(2).outputs().get(0).shape()).containsExactly(4, 3);
  }

  @Test
  void shouldJoinIntoPooledBuffersThatTheCallerGivesBack() {
    DirectBufferPool pool = new DirectBufferPool(1 << 20);
    float[] a = floats(1500);
    float[] b = floats(1500);
    List<InferenceRequest> requests =
        List.of(
            InferenceRequest.of(Tensor.ofFloats("x", new long[] {1, 1500}, a)),
            InferenceRequest.of(Tensor.ofFloats("x", new long[] {1, 1500}, b)));
    List<PooledBuffer> held = new ArrayList<>();
    Tensor x = BatchTensors.concat(requests, pool, held).requireInput("x");
    assertThat(held).hasSize(1);
    assertThat(x.shape()).containsExactly(2, 1500);
    assertThat(x.buffer().isDirect()).isTrue();
    float[] both = x.asFloatArray();
    assertThat(java.util.Arrays.copyOfRange(both, 0, 1500)).containsExactly(a);
    assertThat(java.util.Arrays.copyOfRange(both, 1500, 3000)).containsExactly(b);
    held.forEach(PooledBuffer::close);
    long kept = pool.retainedBytes();
    assertThat(kept).isEqualTo(12288); // 2 x 1500 floats, rounded up to their size class

    List<PooledBuffer> again = new ArrayList<>();
    BatchTensors.concat(requests, pool, again);
    assertThat(pool.retainedBytes()).as("the next batch reuses the buffer").isZero();
    again.forEach(PooledBuffer::close);
    assertThat(pool.retainedBytes()).isEqualTo(kept);
  }

  @Test
  void shouldConcatenateBytesTensors() {
    InferenceRequest r1 = InferenceRequest.of(Tensor.ofStrings("s", new long[] {1}, List.of("a")));
    InferenceRequest r2 =
        InferenceRequest.of(Tensor.ofStrings("s", new long[] {2}, List.of("b", "c")));
    Tensor s = BatchTensors.concat(List.of(r1, r2)).requireInput("s");
    assertThat(s.asStrings()).containsExactly("a", "b", "c");
    List<InferenceResponse> split = BatchTensors.split(InferenceResponse.of(s), new int[] {1, 2});
    assertThat(split.get(1).outputs().get(0).asStrings()).containsExactly("b", "c");
  }

  @Test
  void shouldGiveEqualKeysOnlyToRequestsThatCanShareABatch() {
    String k1 =
        BatchTensors.batchKey(
            InferenceRequest.of(Tensor.ofFloats("x", new long[] {1, 3}, floats(3))));
    String k2 =
        BatchTensors.batchKey(
            InferenceRequest.of(Tensor.ofFloats("x", new long[] {5, 3}, floats(15))));
    String k3 =
        BatchTensors.batchKey(
            InferenceRequest.of(Tensor.ofFloats("x", new long[] {1, 4}, floats(4))));
    String k4 =
        BatchTensors.batchKey(InferenceRequest.of(Tensor.ofInts("x", new long[] {1, 3}, 1, 2, 3)));
    assertThat(k1).isEqualTo(k2).isNotEqualTo(k3).isNotEqualTo(k4);
    assertThat(BatchTensors.batchKey(InferenceRequest.of(Tensor.ofFloats("x", new long[] {}, 1f))))
        .isNull();
  }

  @Test
  void shouldRefuseToSplitAnOutputThatLostTheBatchDimension() {
    InferenceResponse r = InferenceResponse.of(Tensor.ofFloats("sum", new long[] {1}, 3f));
    assertThatThrownBy(() -> BatchTensors.split(r, new int[] {1, 2}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'sum'");
  }
}
