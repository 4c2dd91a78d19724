package dev.kairos.cli;

import dev.kairos.autoscaler.simulator.BatchLatencies;
import dev.kairos.autoscaler.simulator.SimulationOptions;
import dev.kairos.autoscaler.simulator.Trace;
import dev.kairos.autoscaler.simulator.TraceModel;
import dev.kairos.autoscaler.tuner.Budget;
import dev.kairos.autoscaler.tuner.Goal;
import dev.kairos.autoscaler.tuner.KnobRange;
import dev.kairos.autoscaler.tuner.ModelRecommendation;
import dev.kairos.autoscaler.tuner.Objective;
import dev.kairos.autoscaler.tuner.SearchSpace;
import dev.kairos.autoscaler.tuner.Tuner;
import dev.kairos.autoscaler.tuner.TuningReport;
import dev.kairos.autoscaler.tuner.TuningResult;
import dev.kairos.multiplexer.profile.BatchLatency;
import dev.kairos.multiplexer.profile.ModelProfile;
import dev.kairos.multiplexer.profile.ProfileStore;
import dev.kairos.sdk.model.BatchingConfig;
import dev.kairos.sdk.model.BatchingKnobs;
import dev.kairos.sdk.model.Durations;
import dev.kairos.sdk.model.ModelConfig;
import dev.kairos.sdk.model.ModelConfigException;
import dev.kairos.sdk.model.ScalingConfig;
import dev.kairos.sdk.model.ScalingKnobs;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kairos tune}: searches each model's autoscaling knobs against a trace on the simulator
 * (the live decider on a virtual clock) for the cheapest setting that meets an SLO, prints it next
 * to the current one, draws the cost-against-attainment frontier, and with {@code --apply} writes
 * it where the current setting came from.
 */
@Command(
    name = "tune",
    mixinStandardHelpOptions = true,
    description = {
      "Search each model's autoscaling knobs against a trace for the cheapest setting that meets"
          + " an SLO; print it next to the current one; --apply writes it.",
      "Example: kairos tune --trace trace.csv --models models --attainment 99%% --budget 40"
          + " --html tune.html --apply"
    })
final class TuneCommand implements Callable<Integer> {
  @Mixin ReplayOptions replay;

  @Option(
      names = "--models",
      description =
          "Model repository: each model's current knobs come from its model.yaml, and --apply"
              + " writes there. Models of the trace that are not in it start from --set.")
  Path models;

  @Option(
      names = "--admin-url",
      description =
          "Admin API of a running platform: current knobs come from it and --apply sets them"
              + " through it (instead of --models).")
  URI adminUrl;

  @Option(
      names = "--admin-key",
      defaultValue = "${env:KAIROS_ADMIN_KEY}",
      description = "Admin API key (env KAIROS_ADMIN_KEY).")
  String adminKey;

  @Option(
      names = "--set",
      description =
          "Current knobs of models not found in --models or --admin-url, knob=value (repeatable)."
              + " The base is Knative's defaults with maxReplicas=1000 and targetConcurrency = the"
              + " replica concurrency.")
  List<String> set = new ArrayList<>();

  @Option(
      names = "--attainment",
      defaultValue = "99%",
      description =
          "SLO attainment each model must reach (share of requests waiting at most --slo-wait),"
              + " e.g. 99%% or 0.99; 'current': at least what its current setting attains"
              + " (default ${DEFAULT-VALUE}).")
  String attainment;

  @Option(
      names = "--slo-scope",
      defaultValue = "model",
      description =
          "model: each model reaches --attainment; fleet: all models' requests together do, each"
              + " model's setting picked from what its search replayed (default ${DEFAULT-VALUE}).")
  String sloScope;

  @Option(
      names = "--objective",
      defaultValue = "replica-seconds",
      description =
          "What to minimise: replica-seconds, cold-starts, or mix:W (a cold start weighs W"
              + " replica-seconds) (default ${DEFAULT-VALUE}).")
  String objective;

  @Option(
      names = "--budget",
      defaultValue = "40",
      description =
          "Replays per model, in whole-trace equivalents (a replay of a third of the trace counts"
              + " a third) (default ${DEFAULT-VALUE}).")
  double budget;

  @Option(
      names = "--time",
      description =
          "Stop replaying after this long, e.g. 5m (the search is then not reproducible).")
  String time;

  @Option(
      names = "--method",
      defaultValue = "evolution",
      description = "evolution (successive halving seeding a genetic algorithm) or grid.")
  String method;

  @Option(
      names = "--search-seed",
      defaultValue = "1",
      description = "Seeds the search (--seed seeds the replay).")
  long searchSeed;

  @Option(
      names = "--knob",
      description =
          "A knob to search and its range, knob=low..high (repeatable), e.g."
              + " scaleToZeroAfter=0s..30m. Default: targetUtilizationPercentage=30..100,"
              + " stableWindow=10s..5m, panicThresholdPercentage=110..400,"
              + " scaleToZeroAfter=0s..30m, minReplicas=0..1; for a model with a profile.json in"
              + " --models also maxBatchSize=1..<largest profiled batch>, maxQueueDelay=0s..10ms."
              + " Batching knobs are searched only where a model has a profile.")
  List<String> knobs = new ArrayList<>();

  @Option(names = "--html", description = "Write the frontier charts to this HTML file.")
  Path html;

  @Option(
      names = "--top",
      defaultValue = "5",
      description = "Busiest models shown on their own (default ${DEFAULT-VALUE}).")
  int top;

  @Option(
      names = "--apply",
      description =
          "Write each model's recommended knobs into its model.yaml (--models) or through the"
              + " admin API (--admin-url); a model changed since the search started is refused.")
  boolean apply;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    SimulationOptions options;
    Goal goal;
    Budget limit;
    List<KnobRange> ranges;
    ScalingConfig base;
    Trace trace;
    Tuner tuner;
    try {
      if (models != null && adminUrl != null) {
        throw new IllegalArgumentException("give --models or --admin-url, not both");
      }
      if (apply && models == null && adminUrl == null) {
        throw new IllegalArgumentException(
            "--apply needs --models DIR (write model.yaml) or --admin-url URL (a running platform)");
      }
      options = replay.options();
      if (!sloScope.equals("model") && !sloScope.equals("fleet")) {
        throw new IllegalArgumentException("--slo-scope '" + sloScope + "' must be model or fleet");
      }
      goal = new Goal(Objective.parse(objective), attainment(attainment), sloScope.equals("fleet"));
      limit = new Budget(budget, time == null ? null : Durations.parse(time));
      ranges = new ArrayList<>();
      for (String k : knobs) {
        for (String part : k.split(",")) {
          if (!part.isBlank()) {
            ranges.add(KnobRange.parse(part));
          }
        }
      }
      if (ranges.isEmpty()) {
        ranges = SearchSpace.DEFAULT_SCALING;
      }
      base = ScalingKnobs.apply(replay.base(), ScalingKnobs.parseAssignments(set));
      // refuses bad ranges before any work (a stand-in profile lets batching ranges be checked)
      new SearchSpace(base, BatchingConfig.DEFAULT, ANY_PROFILE, ranges);
      tuner = new Tuner(options, goal, limit, method, searchSeed, replay.threads);
      trace = replay.trace();
    } catch (IllegalArgumentException | IOException e) {
      System.err.println("kairos tune: " + e.getMessage());
      return 2;
    }
    KnobStore store =
        models != null
            ? new RepositoryKnobs(models)
            : adminUrl != null ? new AdminKnobs(new AdminClient(adminUrl, adminKey)) : null;
    Map<String, SearchSpace> spaces = new HashMap<>();
    Set<String> stored = new HashSet<>();
    int withoutProfile = 0;
    try {
      for (TraceModel m : trace.models()) {
        ModelConfig c = store == null ? null : store.current(m.name());
        if (c != null) {
          stored.add(m.name());
        }
        BatchLatencies profile = models == null ? null : profile(models.resolve(m.name()));
        List<KnobRange> own = new ArrayList<>();
        for (KnobRange r : ranges) {
          if (profile != null || !BatchingKnobs.NAMES.contains(r.knob())) {
            own.add(r);
          }
        }
        if (own.size() < ranges.size()) {
          withoutProfile++;
        }
        if (knobs.isEmpty() && profile != null) {
          int largest = profile.sizes()[profile.sizes().length - 1];
          own.add(new KnobRange("maxBatchSize", 1, Math.max(2, largest)));
          own.add(new KnobRange("maxQueueDelay", 0, 0.01));
        }
        spaces.put(
            m.name(),
            new SearchSpace(
                c == null ? base : c.scaling(),
                c == null ? BatchingConfig.DEFAULT : c.batching(),
                profile,
                own));
      }
      if (withoutProfile > 0) {
        System.err.printf(
            Locale.ROOT,
            "kairos tune: batching knobs left out for %d model(s) without a profile.json"
                + " (kairos profile DIR measures one)%n",
            withoutProfile);
      }
    } catch (java.net.ConnectException e) {
      System.err.println("kairos tune: cannot reach the admin API at " + adminUrl);
      return 1;
    } catch (IllegalArgumentException | ModelConfigException | IOException e) {
      System.err.println("kairos tune: " + e.getMessage());
      return 2;
    } catch (AdminClient.AdminError e) {
      System.err.println("kairos tune: admin API: HTTP " + e.status + ": " + e.getMessage());
      return 1;
    }
    Progress progress = new Progress(System.err, 2_000_000_000L);
    TuningResult result = tuner.tune(trace, spaces::get, progress::modelDone);
    progress.finish(result);
    TuningReport report = new TuningReport(result, header(trace, options, goal, ranges));
    out.print(report.text(top));
    if (html != null) {
      ReplayOptions.writePage(html, report.html(top), "frontier", out);
    }
    return apply ? apply(result, store, stored, out) : 0;
  }

  private int apply(TuningResult result, KnobStore store, Set<String> stored, PrintStream out) {
    int written = 0;
    int refused = 0;
    for (ModelRecommendation m : result.models()) {
      if (!m.changed()) {
        continue;
      }
      if (!m.reachable()) {
        out.println("not applied to " + m.model() + ": its SLO is unreachable");
        continue;
      }
      if (!stored.contains(m.model())) {
        out.println("not applied to " + m.model() + ": not found at " + store.where());
        continue;
      }
      try {
        store.apply(m.model(), m.best().setting());
        written++;
        out.println("applied to " + m.model() + ": " + m.best().setting().describe());
      } catch (KnobStore.ModelChanged e) {
        refused++;
        System.err.println("kairos tune: " + e.getMessage());
      } catch (Exception e) {
        refused++;
        System.err.println("kairos tune: " + m.model() + ": not applied: " + e.getMessage());
      }
    }
    out.printf(
        Locale.ROOT, "applied %d model(s) at %s, %d refused%n", written, store.where(), refused);
    return refused > 0 ? 3 : 0;
  }

  /** Stands in for a model's profile when ranges are checked before any model is read. */
  private static final BatchLatencies ANY_PROFILE =
      new BatchLatencies(new int[] {1}, new double[] {0.001});

  /** The model's profile.json as replay latencies (medians), or null when it has none. */
  private static BatchLatencies profile(Path modelDir) throws IOException {
    java.util.Optional<ModelProfile> p = ProfileStore.read(modelDir);
    if (p.isEmpty()) {
      return null;
    }
    List<BatchLatency> l = p.get().latencies();
    int[] sizes = new int[l.size()];
    double[] seconds = new double[l.size()];
    for (int i = 0; i < sizes.length; i++) {
      sizes[i] = l.get(i).batchSize();
      seconds[i] = l.get(i).p50Nanos() / 1e9;
    }
    try {
      return new BatchLatencies(sizes, seconds);
    } catch (IllegalArgumentException e) {
      throw new IOException(modelDir.resolve(ProfileStore.FILE) + ": " + e.getMessage());
    }
  }

  private static double attainment(String text) {
    String s = text.trim();
    if (s.equalsIgnoreCase("current")) {
      return Double.NaN;
    }
    try {
      double v =
          s.endsWith("%")
              ? Double.parseDouble(s.substring(0, s.length() - 1)) / 100
              : Double.parseDouble(s);
      if (v >= 0 && v <= 1) {
        return v;
      }
    } catch (NumberFormatException e) {
      // falls through
    }
    throw new IllegalArgumentException(
        "--attainment '" + text + "' must be a share such as 99% or 0.99, or 'current'");
  }

  private String header(Trace trace, SimulationOptions options, Goal goal, List<KnobRange> ranges) {
    return String.format(
        Locale.ROOT,
        "trace %s: %d models, %d requests over %.1f h%n"
            + "SLO: %s <= %s for %s of %s requests; objective: %s%n"
            + "search: %s, %s replays per model%s, search seed %d, replay seed %d; knobs %s",
        trace.source(),
        trace.models().size(),
        trace.totalRequests(),
        trace.durationSeconds() / 3600,
        options.sloCountsService() ? "latency" : "wait",
        Durations.format(Duration.ofNanos(Math.round(options.sloWaitSeconds() * 1e9))),
        Double.isNaN(goal.attainment())
            ? "at least the current share"
            : String.format(Locale.ROOT, "%.2f%%", 100 * goal.attainment()),
        goal.fleet() ? "all models'" : "each model's",
        goal.objective(),
        method,
        budget == Math.rint(budget) ? String.valueOf((long) budget) : String.valueOf(budget),
        time == null ? "" : " (at most " + time + ")",
        searchSeed,
        options.seed(),
        ranges);
  }

  /** One line on stderr every so often while models are searched. */
  private static final class Progress {
    private final PrintStream err;
    private final long everyNanos;
    private final long started = System.nanoTime();
    private long last = started;

    Progress(PrintStream err, long everyNanos) {
      this.err = err;
      this.everyNanos = everyNanos;
    }

    synchronized void modelDone(int done, int total, ModelRecommendation m, double replays) {
      long now = System.nanoTime();
      if (now - last >= everyNanos && done < total) {
        last = now;
        err.printf(
            Locale.ROOT,
            "tune: %d/%d models searched, %.0f replays, %.0f s%n",
            done,
            total,
            replays,
            (now - started) / 1e9);
      }
    }

    void finish(TuningResult r) {
      err.printf(
          Locale.ROOT,
          "tune: %d/%d models searched, %.0f replays, %.1f s%n",
          r.models().size(),
          r.models().size(),
          r.replays(),
          r.wallSeconds());
    }
  }
}
