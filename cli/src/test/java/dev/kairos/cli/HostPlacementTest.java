package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.sdk.model.DeviceConfig;
import dev.kairos.sdk.model.Isolation;
import dev.kairos.sdk.model.ModelConfig;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which models share a runtime host and which keep a process of their own. */
class HostPlacementTest {
  private static ModelConfig model(String engine, Isolation isolation, DeviceConfig device) {
    ModelConfig c = ModelConfig.defaults("m", engine).withDevice(device);
    return new ModelConfig(
        c.name(),
        c.engine(),
        c.inputs(),
        c.outputs(),
        c.batching(),
        c.device(),
        c.scaling(),
        c.traffic(),
        c.options(),
        isolation,
        c.generation());
  }

  static Stream<Arguments> table() {
    DeviceConfig cpu = DeviceConfig.DEFAULT;
    return Stream.of(
        Arguments.of("light onnx", model("onnxruntime", Isolation.PLACEMENT, cpu), true),
        Arguments.of("light torchscript", model("pytorch", Isolation.PLACEMENT, cpu), true),
        Arguments.of("onnx asking to share", model("onnxruntime", Isolation.SHARED, cpu), true),
        Arguments.of("isolation process", model("onnxruntime", Isolation.PROCESS, cpu), false),
        Arguments.of("tensorrt", model("tensorrt", Isolation.PLACEMENT, cpu), false),
        Arguments.of("java by default", model("java", Isolation.PLACEMENT, cpu), false),
        Arguments.of("java asking to share", model("java", Isolation.SHARED, cpu), true),
        Arguments.of(
            "heavy",
            model("onnxruntime", Isolation.PLACEMENT, new DeviceConfig("cpu", 0, "heavy", 0)),
            false),
        Arguments.of(
            "gpu",
            model("onnxruntime", Isolation.PLACEMENT, new DeviceConfig("gpu", 0, "light", 0)),
            false),
        Arguments.of(
            "time-sliced device",
            model(
                "onnxruntime", Isolation.PLACEMENT, new DeviceConfig("cpu", 0, "light", 0, "cpu0")),
            false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void shouldShareOnlyLightEngineModels(String label, ModelConfig config, boolean shares) {
    assertThat(HostPlacement.shareable(config)).as(label).isEqualTo(shares);
    assertThat(HostPlacement.whyProcess(config) == null).isEqualTo(shares);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void shouldGiveEveryModelAProcessWithoutHosts(String label, ModelConfig config, boolean shares) {
    assertThat(new HostPlacement(false).place(config)).isEqualTo(HostPlacement.Where.PROCESS);
    assertThat(new HostPlacement(true).place(config))
        .isEqualTo(shares ? HostPlacement.Where.HOST : HostPlacement.Where.PROCESS);
  }
}
