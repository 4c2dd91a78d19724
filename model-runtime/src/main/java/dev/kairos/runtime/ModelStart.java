package dev.kairos.runtime;

import dev.kairos.generative.ort.OnnxEnvironment;
import dev.kairos.runtime.engine.EngineRegistry;
import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.runtime.engine.ModelSource;
import dev.kairos.runtime.profile.ModelProfiler;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelRepository;
import dev.kairos.runtime.repository.ModelVersion;
import dev.kairos.sdk.time.Clock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The model's side of a replica's start, on a thread of its own: reading its directory ({@code
 * model.yaml}), choosing the version, finding the engines and loading the model on its engine. The
 * starting thread meanwhile sets up the rest (logging, the token check, Vert.x): on a fresh process
 * each side is a good part of the way to the first answer, and neither needs the other until the
 * server is bound.
 */
final class ModelStart {
  /** The model directory and version the options name. */
  record Chosen(ModelDirectory dir, ModelVersion version) {
    boolean generative() {
      return dir.config().isGenerative();
    }
  }

  /**
   * A loaded model, what its load added to the process's resident memory (errs high: the rest of
   * the start ran in the same window) and how long it took, and how to load it again.
   */
  record Loaded(LoadedModel model, long memoryBytes, long nanos, Supplier<LoadedModel> loader) {}

  /** Completes once the directory is read: what the starting thread needs to choose its path. */
  final CompletableFuture<Chosen> chosen = new CompletableFuture<>();

  /** Completes with the loaded model; with null for a generative model, which loads its own way. */
  final CompletableFuture<Loaded> loaded;

  private ModelStart(Map<String, String> opts) {
    loaded =
        RuntimeMain.inBackground(
            () -> {
              Chosen c;
              int engineThreads;
              try {
                engineThreads = RuntimeMain.engineThreads(opts);
                Path dir = Path.of(opts.get("model-dir"));
                if (holdsOnnxFiles(dir)) {
                  OnnxEnvironment.start();
                }
                c = choose(dir, opts);
              } catch (RuntimeException | Error e) {
                chosen.completeExceptionally(e);
                throw e;
              }
              chosen.complete(c);
              return c.generative() ? null : load(c, engineThreads);
            },
            "model-load");
  }

  /**
   * Starts reading and loading the model that {@code opts} name ({@code --model-dir}, {@code
   * --version}, {@code --cores}, {@code --workers}), and returns at once.
   */
  static ModelStart begin(Map<String, String> opts) {
    return new ModelStart(opts);
  }

  /**
   * Whether a version folder of {@code dir} holds an {@code .onnx} file: then ONNX Runtime is what
   * most likely serves the model (the engine {@code model.yaml} names, or the one the files point
   * to, or the generative decoder's), and its environment starts while {@code model.yaml} is read.
   * Where another engine is named after all, the process holds an unused environment.
   */
  static boolean holdsOnnxFiles(Path dir) {
    try (Stream<Path> versions = Files.list(dir)) {
      for (Path v : (Iterable<Path>) versions::iterator) {
        if (!v.getFileName().toString().matches("\\d{1,9}") || !Files.isDirectory(v)) {
          continue;
        }
        try (Stream<Path> files = Files.list(v)) {
          if (files.anyMatch(f -> f.getFileName().toString().endsWith(".onnx"))) {
            return true;
          }
        }
      }
      return false;
    } catch (IOException | UncheckedIOException e) {
      return false; // reading model.yaml reports what is wrong with the folder
    }
  }

  private static Chosen choose(Path modelDir, Map<String, String> opts) {
    ModelDirectory dir = ModelRepository.read(modelDir);
    if (!dir.ok()) {
      throw new IllegalStateException(dir.error());
    }
    ModelVersion version =
        opts.containsKey("version")
            ? dir.version(opts.get("version"))
                .orElseThrow(
                    () ->
                        new IllegalStateException(
                            "model '" + dir.name() + "' has no version " + opts.get("version")))
            : dir.latest();
    return new Chosen(dir, version);
  }

  private static Loaded load(Chosen c, int engineThreads) {
    EngineRegistry engines = EngineRegistry.discover();
    Supplier<LoadedModel> loader =
        () ->
            engines
                .get(c.dir().config().engine())
                .load(
                    new ModelSource(
                        c.version().version(),
                        c.version().artifact(),
                        c.dir().config(),
                        engineThreads));
    long rssBefore = ModelProfiler.residentBytes();
    long start = Clock.system().monotonicNanos();
    LoadedModel model = loader.get();
    long nanos = Clock.system().monotonicNanos() - start;
    return new Loaded(model, Math.max(0, ModelProfiler.residentBytes() - rssBefore), nanos, loader);
  }
}
