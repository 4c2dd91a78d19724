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
  void shouldReadATextGenerationModel() {
    ModelConfig c =
        ModelConfigParser.parse(
            "task: text-generation\ntokenizer: gpt2\n"
                + "generation: {contextLength: 128, kvCacheMemory: 8Mi, chatTemplate: plain}",
            FILE,
            "dir");
    assertThat(c.isGenerative()).isTrue();
    assertThat(c.generation().contextLength()).isEqualTo(128);
    assertThat(c.generation().kvCacheBytes()).isEqualTo(8L << 20);
    assertThat(c.generation().chatTemplate()).isEqualTo("plain");
    assertThat(c.generation().blockSize()).isEqualTo(GenerationConfig.DEFAULT.blockSize());
    assertThat(ModelConfigParser.parse("name: m", FILE, "dir").isGenerative()).isFalse();
  }

  @Test
  void shouldNameTheBadTextGenerationField() {
    assertThatThrownBy(() -> ModelConfigParser.parse("task: translation", FILE, "dir"))
        .hasMessageContaining("task")
        .hasMessageContaining("must be text-generation");
    assertThatThrownBy(() -> ModelConfigParser.parse("tokenizer: gpt2", FILE, "dir"))
        .hasMessageContaining("tokenizer")
        .hasMessageContaining("only a model with task: text-generation");
    assertThatThrownBy(
            () ->
                ModelConfigParser.parse(
                    "task: text-generation\ngeneration: {chatTemplate: jinja}", FILE, "dir"))
        .hasMessageContaining("generation.chatTemplate");
  }

  @Test
  void shouldReadTheDeviceAModelShares() {
    ModelConfig c =
        ModelConfigParser.parse("device: {kind: cpu, class: heavy, shared: cpu0}", FILE, "dir");
    assertThat(c.device().shared()).isEqualTo("cpu0");
    assertThat(c.device().isShared()).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "left to placement | engine: onnxruntime | PLACEMENT",
        "onnx shared | '{engine: onnxruntime, isolation: shared}' | SHARED",
        "torch shared | '{engine: pytorch, isolation: shared}' | SHARED",
        "java asks to share | '{engine: java, isolation: shared}' | SHARED",
        "engine inferred later | 'isolation: shared' | SHARED",
        "tensorrt alone | '{engine: tensorrt, isolation: process}' | PROCESS",
      })
  void shouldReadIsolation(String label, String yaml, Isolation wanted) {
    assertThat(ModelConfigParser.parse(yaml, FILE, "m").isolation()).isEqualTo(wanted);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "onnx left to placement | PLACEMENT | onnxruntime | false | true",
        "onnx forced alone | PROCESS | onnxruntime | false | false",
        "torch shared | SHARED | pytorch | false | true",
        "tensorrt never | PLACEMENT | tensorrt | true | false",
        "java untrusted asking | SHARED | java | false | false",
        "java trusted not asking | PLACEMENT | java | true | false",
        "java trusted asking | SHARED | java | true | true",
      })
  void shouldShareOnlyWhatIsSafeToShare(
      String label, Isolation isolation, String engine, boolean trusted, boolean wanted) {
    assertThat(isolation.mayShare(engine, trusted)).isEqualTo(wanted);
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
        "queue size zero | 'batching: {maxQueueSize: 0}' | models/m/model.yaml: batching.maxQueueSize = 0, must be between 1 and 1000000",
        "preferred above max | 'batching: {maxBatchSize: 4, preferredBatchSizes: [8]}' | batching.preferredBatchSizes = [8], each must be between 1 and maxBatchSize (4)",
        "delay too long | 'batching: {maxQueueDelay: 2h}' | batching.maxQueueDelay = 2h, must be between 0s and 1h",
        "threads too many | 'device: {threads: 5000}' | device.threads = 5000, must be between 0 and 1024",
        "bad class | 'device: {class: medium}' | device.class = 'medium', must be one of [light, heavy]",
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
        "bad isolation | 'isolation: thread' | models/m/model.yaml: isolation = 'thread', must be one of [process, shared]",
        "isolation not text | 'isolation: 1' | isolation must be a string, got 1",
        "tensorrt shared | '{engine: tensorrt, isolation: shared}' | models/m/model.yaml: isolation = 'shared', but engine 'tensorrt' keeps a process of its own",
      })
  void shouldNameFileFieldAndRule(String label, String yaml, String message) {
    assertThatThrownBy(() -> ModelConfigParser.parse(yaml, FILE, "m"))
        .isInstanceOf(ModelConfigException.class)
        .hasMessageContaining(message.trim());
  }
}
