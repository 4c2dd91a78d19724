package dev.kairos.cli;

import dev.kairos.autoscaler.simulator.LatencyModel;
import dev.kairos.autoscaler.simulator.Machine;
import dev.kairos.autoscaler.simulator.Machine.StartKind;
import dev.kairos.autoscaler.simulator.SimulationOptions;
import dev.kairos.autoscaler.simulator.Trace;
import dev.kairos.runtime.host.HostConfig;
import dev.kairos.sdk.model.Durations;
import dev.kairos.sdk.model.ScalingConfig;
import dev.kairos.sdk.model.ScalingKnobs;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** The trace and the replica model of a replay, shared by {@code simulate} and {@code tune}. */
final class ReplayOptions {
  @Option(
      names = "--trace",
      description =
          "Azure Functions 2019 directory, or a CSV of timestamp,model rows (default:"
              + " ../shared/data/traces/azure-functions-2019 next to the Kairos checkout).")
  Path trace;

  @Option(
      names = "--functions",
      defaultValue = "0",
      description = "Only the first N models (0: all).")
  int functions;

  @Option(
      names = "--minutes",
      defaultValue = "0",
      description = "Only the first N minutes (0: all).")
  int minutes;

  @Option(
      names = "--service-time",
      description = "Service time of every request, e.g. 50ms (default: the trace's durations).")
  String serviceTime;

  @Option(
      names = "--replica-concurrency",
      defaultValue = "8",
      description =
          "Requests one replica serves at once. For a model with a profile (kairos tune), the"
              + " concurrency its autoscaler targets: the replica runs one batch at a time, as"
              + " served, and the rest wait in its batcher.")
  int replicaConcurrency;

  @Option(
      names = "--starts",
      defaultValue = "process",
      description =
          "What a new replica costs: process (a runtime process: JVM start and model load),"
              + " host (a model loaded into a running runtime host) or fixed (--cold-start, no"
              + " contention). Defaults for process and host were measured on a 2-core machine"
              + " with the mlp example (tools/bench/replay/calibrate.sh).")
  String starts;

  @Option(
      names = "--cold-start",
      description = "One start alone, e.g. 1.5s (default: the measured figure of --starts).")
  String coldStart;

  @Option(
      names = "--start-capacity",
      description =
          "Starts that progress at full speed together on one machine; more share it, and every"
              + " model replays on that machine (default 0: no contention, as on a cluster with"
              + " room). docs/BENCHMARKS.md gives the figure measured for this 2-core machine.")
  Double startCapacity;

  @Option(
      names = "--concurrent-starts",
      defaultValue = "0",
      description = "Starts in progress at once; the rest wait in order (0: no limit).")
  int concurrentStarts;

  @Option(
      names = "--memory",
      description =
          "Memory of the machine for replicas, e.g. 16Gi: a start that does not fit waits"
              + " (default: no limit).")
  String memory;

  @Option(
      names = "--replica-memory",
      description =
          "One replica's footprint, e.g. 130Mi (default: the measured figure of --starts).")
  String replicaMemory;

  @Option(
      names = "--slo-wait",
      defaultValue = "100ms",
      description = "A request meets its SLO when it waits at most this long before service.")
  String sloWait;

  @Option(
      names = "--slo-latency",
      description =
          "A request meets its SLO when its whole latency (wait plus service) is at most this;"
              + " replaces --slo-wait.")
  String sloLatency;

  @Option(names = "--tick", defaultValue = "2s", description = "Decider period.")
  String tick;

  @Option(names = "--seed", defaultValue = "1", description = "Random seed.")
  long seed;

  @Option(names = "--threads", defaultValue = "2", description = "Models replayed in parallel.")
  int threads;

  /**
   * @throws IllegalArgumentException naming the flag that is wrong
   */
  SimulationOptions options() {
    StartKind kind = startKind();
    StartCosts costs = StartCosts.of(kind);
    Machine machine =
        new Machine(
            kind,
            startCapacity == null ? 0 : startCapacity,
            concurrentStarts,
            memory == null ? 0 : mib("--memory", memory),
            replicaMemory == null ? costs.replicaMib() : mib("--replica-memory", replicaMemory));
    LatencyModel latency =
        new LatencyModel(
            serviceTime == null ? Double.NaN : seconds("--service-time", serviceTime),
            replicaConcurrency,
            coldStart == null ? costs.seconds() : seconds("--cold-start", coldStart),
            machine);
    return sloLatency != null
        ? new SimulationOptions(
            latency, seconds("--slo-latency", sloLatency), seconds("--tick", tick), 60, seed, true)
        : new SimulationOptions(
            latency, seconds("--slo-wait", sloWait), seconds("--tick", tick), 60, seed);
  }

  /** Knative's defaults with maxReplicas=1000 and targetConcurrency = the replica concurrency. */
  ScalingConfig base() {
    return ScalingKnobs.apply(
        ScalingConfig.DEFAULT,
        Map.of("maxReplicas", 1000, "targetConcurrency", replicaConcurrency));
  }

  /**
   * @throws IOException naming the file, the line and what is wrong with it
   */
  Trace trace() throws IOException {
    Path source = trace != null ? trace : defaultTrace();
    if (!Files.exists(source)) {
      throw new IOException("trace " + source + " does not exist");
    }
    return Files.isDirectory(source)
        ? Trace.azureFunctions(source, functions, minutes)
        : Trace.csv(source);
  }

  private StartKind startKind() {
    for (StartKind k : StartKind.values()) {
      if (k.flag().equals(starts)) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "--starts '" + starts + "' is not one of process, host, fixed");
  }

  private static double mib(String flag, String text) {
    return HostConfig.parseBytes(flag, text) / (1024.0 * 1024.0);
  }

  static double seconds(String flag, String text) {
    try {
      return Durations.parse(text).toNanos() / 1e9;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(flag + " " + e.getMessage());
    }
  }

  private static Path defaultTrace() {
    String home =
        System.getProperty("kairos.home", System.getenv().getOrDefault("KAIROS_HOME", "."));
    return Path.of(home, "..", "shared", "data", "traces", "azure-functions-2019").normalize();
  }

  /** Writes a replay's HTML report (creating its folder) and says where on {@code out}. */
  static void writePage(Path html, String page, String what, PrintStream out) throws IOException {
    Path parent = html.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(html, page);
    out.println(what + ": " + html.toAbsolutePath());
  }
}
