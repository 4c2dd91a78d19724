import dev.kairos.multiplexer.arbiter.policy.DeadlineAwarePolicy;
import dev.kairos.multiplexer.arbiter.policy.FifoPolicy;
import dev.kairos.multiplexer.arbiter.policy.SlicePolicies;
import dev.kairos.multiplexer.device.Device;
import dev.kairos.multiplexer.placement.FirstFitByMemory;
import dev.kairos.multiplexer.placement.ModelDemand;
import dev.kairos.multiplexer.placement.OnePerDevice;
import dev.kairos.multiplexer.placement.Placement;
import dev.kairos.multiplexer.placement.PlacementPolicy;
import dev.kairos.multiplexer.placement.SloAwarePlacement;
import dev.kairos.multiplexer.placement.WorkloadClass;
import dev.kairos.multiplexer.profile.BatchLatency;
import dev.kairos.multiplexer.profile.ModelProfile;
import dev.kairos.multiplexer.profile.ProfileStore;
import dev.kairos.multiplexer.serving.ServedModel;
import dev.kairos.multiplexer.serving.ServingPlacement;
import dev.kairos.multiplexer.sim.FleetResult;
import dev.kairos.multiplexer.sim.FleetSimulation;
import dev.kairos.multiplexer.sim.TraceWorkload;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The fleet study: places trace-driven models with each policy, simulates them, and prints a
 * Markdown table of devices used against SLO attainment. Every placement goes through {@link
 * ServingPlacement}, the object {@code kairos serve} asks for each replica (with the policy under
 * study in it), so the study measures the placement code serving runs. Run by {@code
 * tools/bench/placement/fleet.sh} (a single-file program on the Kairos class path).
 *
 * <pre>
 * FleetStudy --trace DIR [--models N] [--first-minute M] [--minutes N] [--rate-scale X]
 *     [--light-profile MODEL_DIR] [--seed S]
 * </pre>
 */
public final class FleetStudy {
  /** The slice cap serving gives placement's latency model (cli ReplicaPlacement). */

  static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  static final long LIGHT_SLO = 15 * MS;
  static final long HEAVY_SLO = 150 * MS;
  static final long HEAVY_CAP = 8 * MS;
  static final long STARVATION = 200 * MS;
  static final long GB = 1L << 30;

  private FleetStudy() {}

  /** ResNet-50 on a V100: 3.3 ms at batch 1, 12.4 ms at batch 8 (published); p99 taken +10%. */
  static ModelProfile resnet50OnV100() {
    return new ModelProfile(
        "resnet50",
        "V100",
        List.of(
            new BatchLatency(1, 3_300_000, 3_630_000), new BatchLatency(8, 12_400_000, 13_640_000)),
        GB + GB / 2,
        0,
        "published: ResNet-50 on V100, 3.3 ms at batch 1, 12.4 ms at batch 8; p99 assumed +10%");
  }

  /** A small model when no measured profile is given. */
  static ModelProfile defaultLight() {
    return new ModelProfile(
        "light",
        "V100",
        List.of(new BatchLatency(1, 500_000, 800_000), new BatchLatency(8, 900_000, 1_400_000)),
        GB / 4,
        0,
        "assumed: small model, 0.5 ms at batch 1");
  }

  public static void main(String[] args) throws IOException {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    Path trace = Path.of(o.getOrDefault("trace", "../shared/data/traces/azure-functions-2019"));
    int count = Integer.parseInt(o.getOrDefault("models", "100"));
    int first = Integer.parseInt(o.getOrDefault("first-minute", "540"));
    int minutes = Integer.parseInt(o.getOrDefault("minutes", "30"));
    double scale = Double.parseDouble(o.getOrDefault("rate-scale", "1"));
    long seed = Long.parseLong(o.getOrDefault("seed", "42"));
    ModelProfile light =
        o.containsKey("light-profile")
            ? lightFrom(ProfileStore.read(Path.of(o.get("light-profile"))))
            : defaultLight();
    run(System.out, trace, count, first, minutes, scale, seed, light);
  }

  private static ModelProfile lightFrom(Optional<ModelProfile> p) {
    return p.orElseThrow(() -> new IllegalArgumentException("--light-profile has no profile.json"));
  }

  static void run(
      PrintStream out,
      Path trace,
      int count,
      int first,
      int minutes,
      double scale,
      long seed,
      ModelProfile light)
      throws IOException {
    List<TraceWorkload.TracedModel> traced =
        TraceWorkload.load(trace, count, first, minutes, scale, seed);
    List<ModelDemand> models = new ArrayList<>();
    Map<String, long[]> arrivals = new HashMap<>();
    long total = 0;
    int heavy = 0;
    for (TraceWorkload.TracedModel t : traced) {
      boolean isHeavy = t.workloadClass() == WorkloadClass.HEAVY;
      heavy += isHeavy ? 1 : 0;
      models.add(
          new ModelDemand(
              t.name(),
              isHeavy ? resnet50OnV100() : light,
              t.peakRatePerSecond(),
              isHeavy ? HEAVY_SLO : LIGHT_SLO,
              t.workloadClass()));
      arrivals.put(t.name(), t.arrivalsNanos());
      total += t.arrivalsNanos().length;
    }
    List<Device> pool = new ArrayList<>();
    for (int i = 0; i < models.size(); i++) {
      pool.add(Device.gpu("gpu" + i, "V100", 16 * GB));
    }
    out.printf(
        Locale.ROOT,
        "Workload: %d models (%d heavy, %d light) = the busiest functions of the Azure Functions"
            + " 2019 trace, minutes %d-%d, rate x%s: %d requests (%.0f/s). Light: %s (SLO %d ms)."
            + " Heavy: %s (SLO %d ms). Heavy slice cap %d ms.%n%n",
        models.size(),
        heavy,
        models.size() - heavy,
        first,
        first + minutes,
        fmt(scale),
        total,
        total / (minutes * 60.0),
        light.source(),
        LIGHT_SLO / MS,
        "ResNet-50 on V100",
        HEAVY_SLO / MS,
        HEAVY_CAP / MS);
    out.println(
        "| placement + arbiter | knob | devices | models/device | SLO attainment | rejected |"
            + " light p99 (ms) | light p99 inflation | heavy throughput kept |");
    out.println("|---|---|---|---|---|---|---|---|---|");
    List<ServedModel> served =
        models.stream().map(m -> new ServedModel(m, Device.Kind.GPU)).toList();
    FleetSimulation isolatedSim = new FleetSimulation(FifoPolicy::new, false, seed);
    Placement alone = serving(new OnePerDevice(), pool, served);
    FleetResult isolated = isolatedSim.run(alone, arrivals);
    List<Row> rows = new ArrayList<>();
    rows.add(new Row("one-per-device + FIFO", "-", isolated));
    for (int k : new int[] {Integer.MAX_VALUE, 32, 16, 8, 4, 2}) {
      PlacementPolicy ff = new FirstFitByMemory(k);
      rows.add(
          new Row(
              "first-fit(memory) + FIFO",
              k == Integer.MAX_VALUE ? "memory only" : "<= " + k + "/device",
              isolatedSim.run(serving(ff, pool, served), arrivals)));
    }
    FleetSimulation kairos =
        new FleetSimulation(
            () -> new DeadlineAwarePolicy(SlicePolicies.LIGHT_PRIORITY, HEAVY_CAP, STARVATION),
            true,
            seed);
    for (double bound : new double[] {1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3}) {
      Placement p = serving(new SloAwarePlacement(bound, HEAVY_CAP), pool, served);
      rows.add(
          new Row(
              "Kairos (SLO-aware + deadline-aware)",
              "util <= " + fmt(bound),
              kairos.run(p, arrivals)));
    }
    for (double bound : new double[] {1.0, 0.7, 0.5}) {
      Placement p = serving(new SloAwarePlacement(bound, HEAVY_CAP), pool, served);
      rows.add(
          new Row(
              "SLO-aware placement + FIFO", "util <= " + fmt(bound), isolatedSim.run(p, arrivals)));
    }
    for (Row r : rows) {
      FleetResult f = r.result;
      out.printf(
          Locale.ROOT,
          "| %s | %s | %d | %.1f | %.3f%% | %d | %.2f | %.2fx | %.1f%% |%n",
          r.policy,
          r.knob,
          f.devicesUsed(),
          f.modelsPerDevice(),
          100 * f.attainment(),
          f.rejected(),
          f.lightP99Nanos() / 1e6,
          f.lightP99Nanos() / (double) isolated.lightP99Nanos(),
          isolated.heavyCompleted() == 0
              ? 100.0
              : 100.0 * f.heavyCompleted() / isolated.heavyCompleted());
    }
    out.println();
    out.println(
        "| placement + arbiter | fewest devices at >= 99% | models/device | vs one-per-device |"
            + " fewest devices at >= 99.9% | models/device | vs one-per-device |");
    out.println("|---|---|---|---|---|---|---|");
    for (String policy :
        List.of(
            "one-per-device + FIFO",
            "first-fit(memory) + FIFO",
            "SLO-aware placement + FIFO",
            "Kairos (SLO-aware + deadline-aware)")) {
      out.printf(
          Locale.ROOT,
          "| %s | %s | %s |%n",
          policy,
          best(rows, policy, 0.99, isolated),
          best(rows, policy, 0.999, isolated));
    }
  }

  /** The placement {@code kairos serve} would make with {@code policy}. */
  private static Placement serving(
      PlacementPolicy policy, List<Device> pool, List<ServedModel> served) {
    return new ServingPlacement(policy, HEAVY_CAP).place(pool, served).placement();
  }

  private static String best(List<Row> rows, String policy, double target, FleetResult isolated) {
    Row best = null;
    for (Row r : rows) {
      if (r.policy.equals(policy)
          && r.result.attainment() >= target
          && (best == null || r.result.devicesUsed() < best.result.devicesUsed())) {
        best = r;
      }
    }
    if (best == null) {
      return "none reaches it | - | -";
    }
    return String.format(
        Locale.ROOT,
        "%d (%s) | %.1f | %.1fx",
        best.result.devicesUsed(),
        best.knob,
        best.result.modelsPerDevice(),
        best.result.modelsPerDevice() / isolated.modelsPerDevice());
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }

  private record Row(String policy, String knob, FleetResult result) {}
}
