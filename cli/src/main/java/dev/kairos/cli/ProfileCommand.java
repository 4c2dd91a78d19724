package dev.kairos.cli;

import dev.kairos.multiplexer.profile.ModelProfile;
import dev.kairos.multiplexer.profile.ProfileStore;
import dev.kairos.runtime.engine.EngineRegistry;
import dev.kairos.runtime.profile.ModelProfiler;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelRepository;
import dev.kairos.runtime.repository.ModelVersion;
import dev.kairos.sdk.time.Clock;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kairos profile}: measures a model on this machine and writes {@code profile.json} beside
 * its {@code model.yaml}, for placement and the fleet simulator.
 */
@Command(
    name = "profile",
    description =
        "Measure a model (latency per batch size, memory, load time) and store profile.json beside"
            + " it.")
final class ProfileCommand implements Callable<Integer> {
  @Parameters(index = "0", description = "The model's directory (holding model.yaml or 1/, 2/...).")
  Path model;

  @Mixin HelpOptions help;

  @Option(names = "--version", description = "Version to measure (default: the latest).")
  String version;

  @Option(
      names = "--batch-sizes",
      split = ",",
      defaultValue = "1,2,4,8",
      description = "Batch sizes to time (default: ${DEFAULT-VALUE}).")
  List<Integer> batchSizes;

  @Option(
      names = "--iterations",
      defaultValue = "50",
      description = "Timed calls per batch size (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--threads", description = "Engine threads (default: the cores of this machine).")
  Integer threads;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    ModelDirectory dir = ModelRepository.read(model);
    if (!dir.ok()) {
      System.err.println("kairos profile: " + dir.error());
      return 2;
    }
    ModelVersion v = version == null ? dir.latest() : dir.version(version).orElse(null);
    if (v == null) {
      System.err.println("kairos profile: model '" + dir.name() + "' has no version " + version);
      return 2;
    }
    int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
    out.println("Profiling " + dir.name() + " v" + v.version() + " with " + t + " engine threads");
    ModelProfile p =
        new ModelProfiler(Clock.system())
            .profile(
                dir,
                v,
                EngineRegistry.discover().get(dir.config().engine()),
                new ModelProfiler.Options(batchSizes, Math.max(3, iterations / 10), iterations, t),
                line -> out.println("  " + line));
    Path written = ProfileStore.write(dir.dir(), p);
    out.printf(
        Locale.ROOT,
        "  load %.2f s, resident memory +%d MiB%nWrote %s%n",
        p.loadNanos() / 1e9,
        p.memoryBytes() >> 20,
        written);
    return 0;
  }
}
