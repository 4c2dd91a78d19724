package dev.kairos.runtime.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.sdk.model.ModelConfig;
import dev.kairos.sdk.model.ModelSignature;
import dev.kairos.sdk.model.TensorSpec;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.tensor.DataType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FirstRunTest {
  /** A model that records the requests it is given. */
  private static final class Recorded implements LoadedModel {
    final List<InferenceRequest> seen = new ArrayList<>();
    final ModelSignature signature;

    Recorded(TensorSpec... inputs) {
      signature = new ModelSignature(List.of(inputs), List.of());
    }

    @Override
    public ModelSignature signature() {
      return signature;
    }

    @Override
    public String platform() {
      return "recorded";
    }

    @Override
    public InferenceResponse infer(InferenceRequest request) {
      seen.add(request);
      return InferenceResponse.of();
    }

    @Override
    public void close() {}
  }

  private static ModelConfig config(String engine) {
    return dev.kairos.sdk.model.ModelConfigParser.parse(
        "name: m\nengine: " + engine + "\n", java.nio.file.Path.of("model.yaml"), "m");
  }

  @Test
  void shouldRunOneRequestShapedByTheSignatureWithDynamicDimensionsAsOne() {
    Recorded m = new Recorded(new TensorSpec("x", DataType.FP32, new long[] {-1, 3, -1}));
    assertThat(FirstRun.run("m", config("onnxruntime"), m)).isTrue();
    assertThat(m.seen).hasSize(1);
    assertThat(m.seen.get(0).inputs().get(0).shape()).containsExactly(1, 3, 1);
  }

  @Test
  void shouldNeverRunAJavaPredictorsCode() {
    Recorded m = new Recorded(new TensorSpec("x", DataType.FP32, new long[] {1, 4}));
    assertThat(FirstRun.run("m", config("java"), m)).isFalse();
    assertThat(m.seen).isEmpty();
  }

  @Test
  void shouldSkipAModelWithAnInputNoValueCanBeMadeUpFor() {
    Recorded m = new Recorded(new TensorSpec("text", DataType.BYTES, new long[] {1}));
    assertThat(FirstRun.run("m", config("onnxruntime"), m)).isFalse();
    assertThat(m.seen).isEmpty();
  }
}
