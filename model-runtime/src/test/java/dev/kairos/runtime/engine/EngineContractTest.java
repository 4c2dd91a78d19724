package dev.kairos.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.sdk.model.TensorSpec;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.oip.InvalidInputException;
import dev.kairos.sdk.oip.RequestedOutput;
import dev.kairos.sdk.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every engine promises. Each engine's test extends this with a model whose single input and
 * output are FP32 {@code [-1, features]} tensors.
 */
public abstract class EngineContractTest {
  protected LoadedModel model;

  /** The engine's name in model.yaml. */
  protected abstract String engineName();

  /** A loadable model version for the engine. */
  protected abstract ModelSource source() throws Exception;

  /** Values of one row of the input. */
  protected float[] row(int seed, int features) {
    float[] v = new float[features];
    for (int i = 0; i < features; i++) {
      v[i] = ((seed * 31 + i * 7) % 13) / 13f;
    }
    return v;
  }

  @BeforeEach
  void loadModel() throws Exception {
    model = EngineRegistry.discover().get(engineName()).load(source());
  }

  @AfterEach
  void closeModel() {
    model.close();
  }

  private TensorSpec input() {
    return model.signature().inputs().get(0);
  }

  private InferenceRequest request(int rows, int seed) {
    int features = (int) input().shape()[1];
    float[] v = new float[rows * features];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(row(seed + r, features), 0, v, r * features, features);
    }
    return InferenceRequest.of(Tensor.ofFloats(input().name(), new long[] {rows, features}, v));
  }

  @Test
  void shouldBeFoundThroughServiceLoaderByItsName() {
    assertThat(EngineRegistry.discover().get(engineName()).name()).isEqualTo(engineName());
  }

  @Test
  void shouldReportASignatureAndAPlatform() {
    assertThat(model.signature().inputs()).isNotEmpty();
    assertThat(model.signature().outputs()).isNotEmpty();
    assertThat(model.platform()).isNotBlank();
  }

  @Test
  void shouldAnswerWithTheDeclaredOutputsKeepingTheBatchDimension() {
    InferenceResponse r = model.infer(request(3, 1));
    String out = model.signature().outputs().get(0).name();
    assertThat(r.output(out)).isPresent();
    assertThat(r.output(out).get().dim(0)).isEqualTo(3);
  }

  @Test
  void shouldAnswerABatchExactlyAsItsRequestsOneByOne() {
    List<InferenceRequest> requests = List.of(request(1, 1), request(2, 5), request(1, 9));
    List<InferenceResponse> batched = model.inferBatch(requests);
    assertThat(batched).hasSize(3);
    for (int i = 0; i < requests.size(); i++) {
      float[] alone = model.infer(requests.get(i)).outputs().get(0).asFloatArray();
      assertThat(batched.get(i).outputs().get(0).asFloatArray())
          .containsExactly(alone, Offset.offset(1e-4f));
    }
  }

  @Test
  void shouldReturnOnlyTheOutputsAskedFor() {
    String out = model.signature().outputs().get(0).name();
    InferenceRequest base = request(1, 2);
    InferenceRequest asking =
        new InferenceRequest(
            null, Map.of(), base.inputs(), List.of(new RequestedOutput(out, Map.of())));
    assertThat(model.infer(asking).outputs()).extracting(Tensor::name).containsExactly(out);
  }

  @Test
  void shouldTreatAnInputTheModelCannotTakeAsTheClientsMistakeAndKeepServing() {
    InferenceRequest wrong =
        InferenceRequest.of(Tensor.ofFloats(input().name(), new long[] {1, 3}, 1f, 2f, 3f));
    assertThatThrownBy(() -> model.infer(wrong)).isInstanceOf(InvalidInputException.class);
    assertThat(model.infer(request(1, 3)).outputs()).isNotEmpty();
  }
}
