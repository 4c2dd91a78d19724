package dev.kairos.cli;

import dev.kairos.autoscaler.simulator.SimulationOptions;
import dev.kairos.autoscaler.simulator.SimulationReport;
import dev.kairos.autoscaler.simulator.SimulationResult;
import dev.kairos.autoscaler.simulator.Simulator;
import dev.kairos.autoscaler.simulator.Trace;
import dev.kairos.sdk.model.ScalingConfig;
import dev.kairos.sdk.model.ScalingKnobs;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
  @Mixin ReplayOptions replay;

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

  @Option(names = "--html", description = "Write the report with charts to this HTML file.")
  Path html;

  @Option(names = "--top", defaultValue = "3", description = "Busiest models shown on their own.")
  int top;

  @Override
  public Integer call() throws IOException {
    PrintStream out = System.out;
    SimulationOptions options;
    ScalingConfig a;
    ScalingConfig b;
    Trace t;
    try {
      options = replay.options();
      ScalingConfig base = replay.base();
      a = ScalingKnobs.apply(base, ScalingKnobs.parseAssignments(set));
      b =
          compare.isEmpty()
              ? null
              : ScalingKnobs.apply(base, ScalingKnobs.parseAssignments(compare));
      t = replay.trace();
    } catch (IllegalArgumentException | IOException e) {
      System.err.println("kairos simulate: " + e.getMessage());
      return 2;
    }
    Simulator simulator = new Simulator(options, replay.threads);
    List<SimulationResult> results = new ArrayList<>();
    results.add(simulator.run(t, label, a));
    if (b != null) {
      results.add(simulator.run(t, compareLabel, b));
    }
    SimulationReport report = new SimulationReport(t, options, results);
    out.print(report.text(top));
    if (html != null) {
      ReplayOptions.writePage(html, report.html(top), "chart", out);
    }
    return 0;
  }
}
