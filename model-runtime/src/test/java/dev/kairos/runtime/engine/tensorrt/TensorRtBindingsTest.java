package dev.kairos.runtime.engine.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.runtime.engine.ModelLoadException;
import dev.kairos.runtime.engine.tensorrt.TensorRtBindings.Binding;
import dev.kairos.sdk.model.ModelSignature;
import dev.kairos.sdk.model.TensorSpec;
import dev.kairos.sdk.tensor.DataType;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TensorRtBindingsTest {
  private static final List<Binding> RESNET =
      List.of(
          new Binding("input", true, "kFLOAT", new long[] {-1, 3, 224, 224}),
          new Binding("output", false, "kFLOAT", new long[] {-1, 1000}));

  @ParameterizedTest
  @CsvSource({
    "kFLOAT,FP32",
    "kHALF,FP16",
    "kINT8,INT8",
    "kINT32,INT32",
    "kINT64,INT64",
    "kBOOL,BOOL",
    "kUINT8,UINT8"
  })
  void shouldMapTensorRtTypesToProtocolTypes(String trt, DataType want) {
    assertThat(TensorRtBindings.dataType(trt)).isEqualTo(want);
  }

  @Test
  void shouldReadTheSignatureFromTheBindingsWithDynamicDimensions() {
    ModelSignature s = TensorRtBindings.signature(RESNET, null, "r");
    assertThat(s.inputs()).hasSize(1);
    assertThat(s.input("input").shape()).containsExactly(-1, 3, 224, 224);
    assertThat(s.output("output").datatype()).isEqualTo(DataType.FP32);
  }

  @Test
  void shouldAcceptADeclaredSignatureThatAgreesAndRejectOneThatDoesNot() {
    ModelSignature ok =
        new ModelSignature(
            List.of(new TensorSpec("input", DataType.FP32, new long[] {-1, 3, 224, 224})),
            List.of(new TensorSpec("output", DataType.FP32, new long[] {-1, 1000})));
    assertThat(TensorRtBindings.signature(RESNET, ok, "r")).isEqualTo(ok);
    ModelSignature wrongName =
        new ModelSignature(
            List.of(new TensorSpec("image", DataType.FP32, new long[] {-1, 3, 224, 224})),
            List.of());
    assertThatThrownBy(() -> TensorRtBindings.signature(RESNET, wrongName, "r"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("'image'")
        .hasMessageContaining("[input]");
    ModelSignature wrongType =
        new ModelSignature(
            List.of(new TensorSpec("input", DataType.FP16, new long[] {-1, 3, 224, 224})),
            List.of());
    assertThatThrownBy(() -> TensorRtBindings.signature(RESNET, wrongType, "r"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("FP16")
        .hasMessageContaining("FP32");
  }

  @Test
  void shouldRefuseATypeTheProtocolCannotCarry() {
    List<Binding> fp8 = List.of(new Binding("x", true, "kFP8", new long[] {1}));
    assertThatThrownBy(() -> TensorRtBindings.signature(fp8, null, "q"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("'x'")
        .hasMessageContaining("kFP8");
  }
}
