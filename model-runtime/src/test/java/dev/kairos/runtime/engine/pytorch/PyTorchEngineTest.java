package dev.kairos.runtime.engine.pytorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.runtime.core.TestModels;
import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.runtime.engine.ModelLoadException;
import dev.kairos.runtime.engine.ModelSource;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.sdk.model.ModelConfig;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.oip.InvalidInputException;
import dev.kairos.sdk.oip.OipJsonDecoder;
import dev.kairos.sdk.tensor.Tensor;
import java.nio.file.Files;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PyTorchEngineTest {
  private static LoadedModel torch;
  private static LoadedModel onnx;

  @BeforeAll
  static void load() {
    torch = TestModels.load(TestModels.dir("mlp-torch"));
    onnx = TestModels.load(TestModels.dir("mlp"));
  }

  @AfterAll
  static void close() {
    torch.close();
    onnx.close();
  }

  @Test
  void shouldAnswerTheGoldenRequestAsTorchDid() throws Exception {
    OipJsonDecoder d = new OipJsonDecoder();
    InferenceRequest req =
        d.decodeRequest(
            Files.readAllBytes(TestModels.EXAMPLES.resolve("mlp-torch/golden/request.json")));
    InferenceResponse want =
        d.decodeResponse(
            Files.readAllBytes(TestModels.EXAMPLES.resolve("mlp-torch/golden/response.json")));
    InferenceResponse got = torch.infer(req);
    assertThat(torch.platform()).isEqualTo("pytorch_torchscript");
    assertThat(got.outputs().get(0).name()).isEqualTo("scores");
    assertThat(got.outputs().get(0).shape()).containsExactly(2, 4);
    assertThat(got.outputs().get(0).asFloatArray())
        .containsExactly(want.outputs().get(0).asFloatArray(), Offset.offset(1e-5f));
  }

  @Test
  void shouldAgreeWithTheOnnxExportOfTheSameWeightsInABatch() {
    float[] v = new float[5 * 16];
    for (int i = 0; i < v.length; i++) {
      v[i] = (i % 11) / 10f;
    }
    List<InferenceRequest> requests =
        List.of(
            InferenceRequest.of(Tensor.ofFloats("features", new long[] {2, 16}, slice(v, 0, 32))),
            InferenceRequest.of(Tensor.ofFloats("features", new long[] {3, 16}, slice(v, 32, 80))));
    List<InferenceResponse> a = torch.inferBatch(requests);
    List<InferenceResponse> b = onnx.inferBatch(requests);
    for (int i = 0; i < 2; i++) {
      assertThat(a.get(i).outputs().get(0).asFloatArray())
          .containsExactly(b.get(i).outputs().get(0).asFloatArray(), Offset.offset(1e-4f));
    }
  }

  private static float[] slice(float[] v, int from, int to) {
    return java.util.Arrays.copyOfRange(v, from, to);
  }

  @Test
  void shouldAnswerAWronglyShapedInputAsTheClientsMistake() {
    InferenceRequest wrong =
        InferenceRequest.of(Tensor.ofFloats("features", new long[] {1, 3}, 1f, 2f, 3f));
    assertThatThrownBy(() -> torch.infer(wrong)).isInstanceOf(InvalidInputException.class);
  }

  @Test
  void shouldRefuseATorchScriptModelWithoutADeclaredSignature() {
    ModelDirectory d = TestModels.dir("mlp-torch");
    ModelConfig bare = ModelConfig.defaults("bare", "pytorch");
    assertThatThrownBy(
            () -> new PyTorchEngine().load(new ModelSource("1", d.latest().artifact(), bare, 1)))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("signature");
  }
}
