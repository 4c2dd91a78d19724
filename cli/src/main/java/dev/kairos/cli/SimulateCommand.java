package dev.kairos.cli;

import dev.kairos.autoscaler.simulator.LatencyModel;
import dev.kairos.autoscaler.simulator.SimulationOptions;
import dev.kairos.autoscaler.simulator.SimulationReport;
import dev.kairos.autoscaler.simulator.SimulationResult;
import dev.kairos.autoscaler.simulator.Simulator;
import dev.kairos.autoscaler.simulator.Trace;
import dev.kairos.sdk.model.Durations;
import dev.kairos.sdk.model.ScalingConfig;
import dev.kairos.sdk.model.ScalingKnobs;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kairos simulate}: replays a request trace through the autoscaler's own decider on a
 * virtual clock and reports what a knob setting would have done, side by side with another.
 */
@Command(
    name = "simulate",
    description = {
      "Replay a trace through the autoscaler (what-if): SLO attainment, latency, replica-seconds,"
          + " cold starts, and a requests-vs-replicas chart.",
      "Example: kairos simulate --compare targetUtilizationPercentage=50,scaleToZeroAfter=5m"
          + " --html sim.html"
    })
final class SimulateCommand implements Callable<Integer> {
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
      names = "--set",
      description =
          "Knob of the first setting, knob=value (repeatable or comma-separated). The base is"
              + " Knative's defaults with maxReplicas=1000 and targetConcurrency = the replica"
              + " concurrency.")
  List<String> set = new ArrayList<>();

  @Option(
      names = "--compare",
      description = "Knob of a second setting replayed side by side, knob=value (repeatable).")
  List<String> compare = new ArrayList<>();

  @Option(
      names = "--label",
      defaultValue = "knative-defaults",
      description = "Name of the first setting.")
  String label;

  @Option(
      names = "--compare-label",
      defaultValue = "tuned",
      description = "Name of the second setting.")
  String compareLabel;

  @Option(
      names = "--service-time",
      description = "Service time of every request, e.g. 50ms (default: the trace's durations).")
  String serviceTime;

  @Option(
      names = "--replica-concurrency",
      defaultValue = "8",
      description = "Requests one replica serves at once.")
  int replicaConcurrency;

  @Option(names = "--cold-start", defaultValue = "1s", description = "Replica start time.")
  String coldStart;

  @Option(
      names = "--slo-wait",
      defaultValue = "100ms",
      description = "A request meets its SLO when it waits at most this long before service.")
  String sloWait;

  @Option(names = "--tick", defaultValue = "2s", description = "Decider period.")
  String tick;

  @Option(names = "--seed", defaultValue = "1", description = "Random seed.")
  long seed;

  @Option(names = "--threads", defaultValue = "2", description = "Models replayed in parallel.")
  int threads;

  @Option(names = "--html", description = "Write the report with charts to this HTML file.")
  Path html;

  @Option(names = "--top", defaultValue = "3", description = "Busiest models shown on their own.")
  int top;

  @Override
  public Integer call() throws IOException {
    PrintStream out = System.out;
    LatencyModel latency;
    SimulationOptions options;
    ScalingConfig a;
    ScalingConfig b;
    try {
      latency =
          new LatencyModel(
              serviceTime == null ? Double.NaN : seconds("--service-time", serviceTime),
              replicaConcurrency,
              seconds("--cold-start", coldStart));
      options =
          new SimulationOptions(
              latency, seconds("--slo-wait", sloWait), seconds("--tick", tick), 60, seed);
      ScalingConfig base =
          ScalingKnobs.apply(
              ScalingConfig.DEFAULT,
              Map.of("maxReplicas", 1000, "targetConcurrency", replicaConcurrency));
      a = ScalingKnobs.apply(base, ScalingKnobs.parseAssignments(set));
      b =
          compare.isEmpty()
              ? null
              : ScalingKnobs.apply(base, ScalingKnobs.parseAssignments(compare));
    } catch (IllegalArgumentException e) {
      System.err.println("kairos simulate: " + e.getMessage());
      return 2;
    }
    Path source = trace != null ? trace : defaultTrace();
    Trace t =
        Files.isDirectory(source)
            ? Trace.azureFunctions(source, functions, minutes)
            : Trace.csv(source);
    Simulator simulator = new Simulator(options, threads);
    List<SimulationResult> results = new ArrayList<>();
    results.add(simulator.run(t, label, a));
    if (b != null) {
      results.add(simulator.run(t, compareLabel, b));
    }
    SimulationReport report = new SimulationReport(t, options, results);
    out.print(report.text(top));
    if (html != null) {
      Path parent = html.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(html, report.html(top));
      out.println("chart: " + html.toAbsolutePath());
    }
    return 0;
  }

  private static double seconds(String flag, String text) {
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
}
