package dev.kairos.sdk.model;

import java.util.List;
import java.util.Map;

/**
 * A model's {@code model.yaml}: what it is and how it is served. Every field has a default, so a
 * directory holding only versioned ONNX files needs no {@code model.yaml} at all.
 *
 * @param name the model name in URLs (default: the directory name)
 * @param engine {@code onnxruntime}, {@code pytorch}, {@code tensorrt} or {@code java} (default:
 *     inferred from the artifact's file extension)
 * @param inputs declared inputs; empty means read them from the artifact
 * @param outputs declared outputs; empty means read them from the artifact
 * @param batching dynamic batching
 * @param device where it runs
 * @param scaling replica bounds and autoscaling target
 * @param traffic weight per version, e.g. {@code {"1": 90, "2": 10}}; empty sends all traffic to
 *     the highest version
 * @param options engine-specific settings, passed through as strings
 * @param isolation whether the model may share a runtime host with others (default: {@link
 *     Isolation#PLACEMENT}, placement decides)
 * @param generation for {@code task: text-generation}, its tokenizer and token scheduler; null for
 *     a tensor model
 */
public record ModelConfig(
    String name,
    String engine,
    List<TensorSpec> inputs,
    List<TensorSpec> outputs,
    BatchingConfig batching,
    DeviceConfig device,
    ScalingConfig scaling,
    Map<String, Integer> traffic,
    Map<String, String> options,
    Isolation isolation,
    GenerationConfig generation) {
  public ModelConfig {
    isolation = isolation == null ? Isolation.PLACEMENT : isolation;
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    traffic = Map.copyOf(traffic);
    options = Map.copyOf(options);
  }

  /** A tensor model's configuration, without an {@code isolation:} field: placement decides. */
  public ModelConfig(
      String name,
      String engine,
      List<TensorSpec> inputs,
      List<TensorSpec> outputs,
      BatchingConfig batching,
      DeviceConfig device,
      ScalingConfig scaling,
      Map<String, Integer> traffic,
      Map<String, String> options) {
    this(
        name,
        engine,
        inputs,
        outputs,
        batching,
        device,
        scaling,
        traffic,
        options,
        Isolation.PLACEMENT,
        null);
  }

  /** Whether this is a text-generation model, served by the token scheduler. */
  public boolean isGenerative() {
    return generation != null;
  }

  /** The configuration of a directory without {@code model.yaml}. */
  public static ModelConfig defaults(String name, String engine) {
    return new ModelConfig(
        name,
        engine,
        List.of(),
        List.of(),
        BatchingConfig.DEFAULT,
        DeviceConfig.DEFAULT,
        ScalingConfig.DEFAULT,
        Map.of(),
        Map.of());
  }

  /** The declared signature, or null when it is to be read from the artifact. */
  public ModelSignature declaredSignature() {
    return inputs.isEmpty() && outputs.isEmpty() ? null : new ModelSignature(inputs, outputs);
  }

  public ModelConfig withEngine(String newEngine) {
    return new ModelConfig(
        name,
        newEngine,
        inputs,
        outputs,
        batching,
        device,
        scaling,
        traffic,
        options,
        isolation,
        generation);
  }

  public ModelConfig withBatching(BatchingConfig newBatching) {
    return new ModelConfig(
        name,
        engine,
        inputs,
        outputs,
        newBatching,
        device,
        scaling,
        traffic,
        options,
        isolation,
        generation);
  }

  public ModelConfig withDevice(DeviceConfig newDevice) {
    return new ModelConfig(
        name,
        engine,
        inputs,
        outputs,
        batching,
        newDevice,
        scaling,
        traffic,
        options,
        isolation,
        generation);
  }
}
