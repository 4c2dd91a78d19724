package dev.kairos.sdk.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.sdk.tensor.DataType;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelConfigParserTest {
  private static final Path FILE = Path.of("models/m/model.yaml");

  @Test
  void shouldReadTheDesignExample() {
    ModelConfig c =
        ModelConfigParser.parse(
            String.join(
                "\n",
                "name: resnet18",
                "engine: onnxruntime",
                "inputs:  [{name: input,  datatype: FP32, shape: [-1, 3, 224, 224]}]",
                "outputs: [{name: output, datatype: FP32, shape: [-1, 1000]}]",
                "batching: {maxBatchSize: 16, maxQueueDelay: 2ms, maxQueueSize: 256}",
                "device:   {kind: gpu, memory: 600Mi, class: heavy}",
                "scaling:  {minReplicas: 0, maxReplicas: 8, targetConcurrency: 8, scaleToZeroAfter: 60s}",
                "traffic:  {\"1\": 90, \"2\": 10}"),
            FILE,
            "dir");
    assertThat(c.name()).isEqualTo("resnet18");
    assertThat(c.inputs().get(0))
        .isEqualTo(new TensorSpec("input", DataType.FP32, new long[] {-1, 3, 224, 224}));
    assertThat(c.batching().maxBatchSize()).isEqualTo(16);
    assertThat(c.batching().maxQueueDelay()).isEqualTo(Duration.ofMillis(2));
    assertThat(c.device().memoryBytes()).isEqualTo(600L << 20);
    assertThat(c.device().workloadClass()).isEqualTo("heavy");
    assertThat(c.device().isShared()).isFalse();
    assertThat(c.scaling().maxReplicas()).isEqualTo(8);
    assertThat(c.scaling().scaleToZeroAfter()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.traffic()).containsEntry("1", 90).containsEntry("2", 10);
  }

  @Test
  void shouldReadTheDeviceAModelShares() {
    ModelConfig c =
        ModelConfigParser.parse("device: {kind: cpu, class: heavy, shared: cpu0}", FILE, "dir");
    assertThat(c.device().shared()).isEqualTo("cpu0");
    assertThat(c.device().isShared()).isTrue();
  }

  @Test
  void shouldDefaultEverythingForAnEmptyFile() {
    ModelConfig c = ModelConfigParser.parse("", FILE, "dir");
    assertThat(c.name()).isEqualTo("dir");
    assertThat(c.engine()).isNull();
    assertThat(c.batching()).isEqualTo(BatchingConfig.DEFAULT);
    assertThat(c.declaredSignature()).isNull();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "unknown field | nmae: x | models/m/model.yaml: nmae is not a known field",
        "bad engine | engine: tensorflow | engine = 'tensorflow', must be one of",
        "bad shared device | 'device: {shared: \"gpu 0\"}' | device.shared = 'gpu 0', must be a device id of letters, digits, '_' or '-'",
        "batch size zero | 'batching: {maxBatchSize: 0}' | batching.maxBatchSize = 0, must be between 1 and 4096",
        "batch size text | 'batching: {maxBatchSize: lots}' | batching.maxBatchSize must be an integer, got 'lots'",
        "preferred over max | 'batching: {maxBatchSize: 4, preferredBatchSizes: [8]}' | batching.preferredBatchSizes = [8], each must be between 1 and maxBatchSize (4)",
        "queue size zero | 'batching: {maxQueueSize: 0}' | batching.maxQueueSize = 0, must be between 1 and 1000000",
        "bad duration | 'batching: {maxQueueDelay: soon}' | batching.maxQueueDelay expected a duration",
        "bad datatype | 'inputs: [{name: x, datatype: FLOAT, shape: [1]}]' | inputs[0].datatype unknown datatype 'FLOAT'",
        "missing shape | 'inputs: [{name: x, datatype: FP32}]' | inputs[0].shape must be a list of integers",
        "weights not 100 | 'traffic: {\"1\": 50, \"2\": 20}' | traffic weights add up to 70, must add up to 100",
        "max below min | 'scaling: {minReplicas: 3, maxReplicas: 2}' | scaling.maxReplicas = 2, must be >= minReplicas (3)",
        "bad device kind | 'device: {kind: tpu}' | device.kind = 'tpu', must be one of [cpu, gpu]",
        "not a mapping | '[1, 2]' | must be a mapping, got a list",
        "bad yaml | 'a: [1, 2' | is not valid YAML",
        "bad name | 'name: ../etc' | name = '../etc', must be letters",
        "memory overflows | 'device: {memory: 9999999999Gi}' | device.memory = '9999999999Gi' is too large",
        "memory too many digits | 'device: {memory: \"99999999999999999999999\"}' | is too large",
        "memory not a size | 'device: {memory: lots}' | expected a size such as 600Mi or 2Gi",
      })
  void shouldNameFileFieldAndRule(String label, String yaml, String message) {
    assertThatThrownBy(() -> ModelConfigParser.parse(yaml, FILE, "m"))
        .isInstanceOf(ModelConfigException.class)
        .hasMessageContaining(message.trim());
  }
}
