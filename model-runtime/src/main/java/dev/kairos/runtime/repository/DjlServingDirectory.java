package dev.kairos.runtime.repository;

import dev.kairos.sdk.model.BatchingConfig;
import dev.kairos.sdk.model.InvalidKnobException;
import dev.kairos.sdk.model.ModelConfig;
import dev.kairos.sdk.model.ModelConfigException;
import dev.kairos.sdk.model.ModelConfigParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * A DJL Serving model folder: {@code serving.properties} beside the model file, no version folders.
 * It is served as version 1, so DJL Serving users move over without repackaging.
 *
 * <pre>
 * engine=OnnxRuntime          # OnnxRuntime | PyTorch | TensorRT
 * option.modelName=mlp        # the model file's name without extension (default: folder name)
 * batch_size=16               # maxBatchSize, 1 to 4096
 * max_batch_delay=2           # maxQueueDelay, milliseconds (0 to 1 h)
 * job_queue_size=256          # maxQueueSize, 1 to 1000000
 * </pre>
 *
 * A {@code model.yaml} beside it may declare the signature (a TorchScript file has none); the
 * properties win for engine and batching. The batching values follow {@code model.yaml}'s rules
 * ({@link BatchingConfig}); an error names the file, the property, the value and the rule.
 */
final class DjlServingDirectory {
  static final String FILE = "serving.properties";

  private static final Map<String, String> ENGINES =
      Map.of(
          "onnxruntime", "onnxruntime",
          "pytorch", "pytorch",
          "tensorrt", "tensorrt");

  /** The property of each {@link BatchingConfig} field. */
  private static final Map<String, String> PROPERTIES =
      Map.of(
          "maxBatchSize", "batch_size",
          "maxQueueDelay", "max_batch_delay",
          "maxQueueSize", "job_queue_size");

  private DjlServingDirectory() {}

  static boolean isOne(Path dir) {
    return Files.isRegularFile(dir.resolve(FILE));
  }

  static ModelDirectory read(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    }
    String dirName = dir.getFileName().toString();
    Path yaml = dir.resolve("model.yaml");
    ModelConfig base =
        Files.exists(yaml)
            ? ModelConfigParser.parse(yaml, dirName)
            : ModelConfig.defaults(dirName, null);
    String djlEngine = p.getProperty("engine");
    if (djlEngine == null) {
      throw new ModelConfigException(
          file, "engine", "is required (OnnxRuntime, PyTorch, TensorRT)");
    }
    String engine = ENGINES.get(djlEngine.trim().toLowerCase(Locale.ROOT));
    if (engine == null) {
      throw new ModelConfigException(
          file,
          "engine",
          "= "
              + djlEngine
              + ": Kairos serves OnnxRuntime, PyTorch and TensorRT models from DJL Serving folders");
    }
    BatchingConfig batching = batching(p, file, base.batching());
    Map<String, String> options = new HashMap<>(base.options());
    for (String key : p.stringPropertyNames()) {
      if (key.startsWith("option.")) {
        options.putIfAbsent(key.substring("option.".length()), p.getProperty(key));
      }
    }
    ModelConfig config =
        new ModelConfig(
            base.name(),
            engine,
            base.inputs(),
            base.outputs(),
            batching,
            base.device(),
            base.scaling(),
            Map.of(),
            options);
    String prefix = p.getProperty("option.modelName", dirName).trim();
    Path artifact = artifact(dir, prefix, ModelRepository.suffixes(engine));
    if (artifact == null) {
      throw new ModelConfigException(
          file,
          "option.modelName",
          "= "
              + prefix
              + ": none of "
              + ModelRepository.suffixes(engine).stream().map(x -> prefix + x).toList()
              + " is in "
              + dir);
    }
    return new ModelDirectory(
        config.name(), dir, config, List.of(new ModelVersion("1", dir, artifact)), null);
  }

  private static Path artifact(Path dir, String prefix, List<String> suffixes) throws IOException {
    for (String s : suffixes) {
      Path p = dir.resolve(prefix + s);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> any =
          files
              .filter(Files::isRegularFile)
              .filter(f -> suffixes.stream().anyMatch(s -> f.getFileName().toString().endsWith(s)))
              .sorted()
              .toList();
      return any.size() == 1 ? any.get(0) : null;
    }
  }

  /**
   * The properties' batching over {@code base}'s, checked by {@link BatchingConfig}'s own rules
   * (the rules of {@code model.yaml}); an error names the property as written in the file.
   */
  private static BatchingConfig batching(Properties p, Path file, BatchingConfig base) {
    int batchSize = intProp(p, file, "batch_size", base.maxBatchSize());
    Duration delay =
        p.containsKey("max_batch_delay")
            ? Duration.ofMillis(intProp(p, file, "max_batch_delay", 0))
            : base.maxQueueDelay();
    int queue = intProp(p, file, "job_queue_size", base.maxQueueSize());
    try {
      return new BatchingConfig(batchSize, delay, queue, base.preferredBatchSizes());
    } catch (InvalidKnobException e) {
      String key = PROPERTIES.get(e.knob());
      if (key != null && p.containsKey(key)) {
        throw new ModelConfigException(
            file, key, "= " + p.getProperty(key).trim() + ", " + e.rule());
      }
      // a model.yaml beside it that no longer fits the properties (preferredBatchSizes >
      // batch_size)
      throw new ModelConfigException(
          file.resolveSibling("model.yaml"),
          "batching." + e.knob(),
          e.problem() + " (batch_size = " + batchSize + " in " + FILE + ")");
    }
  }

  private static int intProp(Properties p, Path file, String key, int dflt) {
    String v = p.getProperty(key);
    if (v == null) {
      return dflt;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new ModelConfigException(file, key, "= '" + v + "', must be an integer");
    }
  }
}
