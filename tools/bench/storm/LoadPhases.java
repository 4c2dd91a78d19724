import dev.kairos.multiplexer.arbiter.ArbiterClient;
import dev.kairos.runtime.core.InferenceService;
import dev.kairos.runtime.core.ServiceThreads;
import dev.kairos.runtime.core.WorkerConfig;
import dev.kairos.runtime.engine.Engine;
import dev.kairos.runtime.engine.EngineRegistry;
import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.runtime.engine.ModelSource;
import dev.kairos.runtime.host.ResidentMemory;
import dev.kairos.runtime.metrics.RuntimeMeters;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelRepository;
import dev.kairos.sdk.time.Clock;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a light model's load into a host spends its time, phase by phase, as ModelHost runs them
 * (model.yaml read, engine session, first run, InferenceService, native heap trim, RSS read,
 * close), one load after another of the models m0..m(N-1) of a repository, loaded and kept (as a
 * host keeps them). Prints each phase's median over the second half of the loads (past the
 * first loads' class loading and compilation) and over the first ten.
 *
 * <pre>
 * R=$(/usr/bin/python3 -c "import sys; sys.path.insert(0, 'tools/bench/hosts'); import serve; \
 *     print(serve.repository(200))")
 * MALLOC_ARENA_MAX=2 MALLOC_TRIM_THRESHOLD_=1048576 MALLOC_MMAP_THRESHOLD_=16777216 \
 *   java -XX:+UseSerialGC -Xms32m -Xmx512m -cp "cli/target/lib/*:cli/target/kairos-cli.jar" \
 *   tools/bench/storm/LoadPhases.java $R 200 [shared|own]
 * </pre>
 */
public class LoadPhases {
  static final String[] PHASES = {"read", "session", "firstRun", "service", "trim", "rss", "total"};

  public static void main(String[] args) throws Exception {
    Path repo = Path.of(args[0]);
    int n = Integer.parseInt(args[1]);
    // "shared": the services run on one set of host threads, as in a runtime host; "own": each
    // starts its own, as a replica's does (and as hosted models did before they shared)
    ServiceThreads shared =
        args.length > 2 && args[2].equals("shared") ? ServiceThreads.shared(Clock.system()) : null;
    // a host's: one batch at a time, codec threads = the cores
    WorkerConfig workers = new WorkerConfig(1, Runtime.getRuntime().availableProcessors());
    EngineRegistry engines = EngineRegistry.discover();
    Engine ort = engines.get("onnxruntime");
    ort.start(1);
    Method firstRun =
        Class.forName("dev.kairos.runtime.host.FirstRun")
            .getDeclaredMethod(
                "run", String.class, dev.kairos.sdk.model.ModelConfig.class, LoadedModel.class);
    firstRun.setAccessible(true);
    Method trim = Class.forName("dev.kairos.runtime.host.NativeHeap").getDeclaredMethod("trim");
    trim.setAccessible(true);
    ResidentMemory rss = new ResidentMemory();
    RuntimeMeters meters = new RuntimeMeters();
    List<long[]> rows = new ArrayList<>();
    List<InferenceService> kept = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long[] t = new long[PHASES.length];
      long t0 = System.nanoTime();
      ModelDirectory d = ModelRepository.read(repo.resolve("m" + i));
      long t1 = System.nanoTime();
      LoadedModel m =
          ort.load(new ModelSource(d.latest().version(), d.latest().artifact(), d.config(), 1));
      long t2 = System.nanoTime();
      firstRun.invoke(null, d.name(), d.config(), m);
      long t3 = System.nanoTime();
      InferenceService s =
          shared == null
              ? new InferenceService(
                  d.name(),
                  d.latest().version(),
                  d.config(),
                  m,
                  workers,
                  ArbiterClient.unshared(),
                  Clock.system(),
                  meters)
              : new InferenceService(
                  d.name(),
                  d.latest().version(),
                  d.config(),
                  m,
                  workers,
                  ArbiterClient.unshared(),
                  Clock.system(),
                  meters,
                  shared);
      long t4 = System.nanoTime();
      trim.invoke(null);
      long t5 = System.nanoTime();
      rss.getAsLong();
      long t6 = System.nanoTime();
      kept.add(s);
      long[] row = {t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5, t6 - t0};
      rows.add(row);
    }
    print("loads 1-10", rows.subList(0, Math.min(10, n)));
    print("loads " + (n / 2 + 1) + "-" + n, rows.subList(n / 2, n));
    kept.forEach(InferenceService::close);
  }

  static void print(String what, List<long[]> rows) {
    StringBuilder b = new StringBuilder(what + ": medians");
    for (int p = 0; p < PHASES.length; p++) {
      final int q = p;
      long[] v = rows.stream().mapToLong(r -> r[q]).sorted().toArray();
      b.append(String.format(" %s %.2f ms", PHASES[p], v[v.length / 2] / 1e6));
    }
    System.out.println(b);
  }
}
