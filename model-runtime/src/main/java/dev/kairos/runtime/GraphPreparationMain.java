package dev.kairos.runtime;

import dev.kairos.runtime.engine.Engine;
import dev.kairos.runtime.engine.EngineRegistry;
import dev.kairos.runtime.engine.ModelSource;
import dev.kairos.runtime.engine.onnx.OnnxNativeLibraries;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelRepository;
import dev.kairos.runtime.repository.ModelVersion;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A short-lived process that prepares models ahead of their first load ({@link Engine#prepare}):
 * serve starts it at the lowest CPU priority and writes it the folders of registered models, one
 * line each; it prepares each model's latest version in turn and answers one line per folder:
 *
 * <pre>
 * prepared NAME in MS ms
 * unchanged NAME        (nothing to prepare, or prepared already)
 * failed NAME: REASON
 * </pre>
 *
 * <p>It exits when its standard input ends (serve closed it, or serve is gone). A model that fails
 * here fails at its load too, with the same reason; the preparation goes on with the next.
 */
public final class GraphPreparationMain {
  private GraphPreparationMain() {}

  public static void main(String[] args) throws IOException {
    OnnxNativeLibraries.preferUnpacked();
    EngineRegistry engines = EngineRegistry.discover();
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (!line.isBlank()) {
        out.println(prepare(engines, Path.of(line.trim())));
      }
    }
  }

  /** Prepares the latest version of the model in {@code dir}; the answer line. */
  static String prepare(EngineRegistry engines, Path dir) {
    ModelDirectory d = ModelRepository.read(dir);
    if (!d.ok()) {
      return "failed " + dir + ": " + oneLine(d.error());
    }
    try {
      ModelVersion v = d.latest();
      Engine engine = engines.get(d.config().engine());
      long t0 = System.nanoTime();
      boolean did = engine.prepare(new ModelSource(v.version(), v.artifact(), d.config(), 1));
      return did
          ? "prepared " + d.name() + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms"
          : "unchanged " + d.name();
    } catch (RuntimeException | LinkageError e) {
      return "failed " + d.name() + ": " + oneLine(String.valueOf(e.getMessage()));
    }
  }

  private static String oneLine(String s) {
    return s.replace('\n', ' ');
  }
}
