import dev.kairos.runtime.WarmUpModel;
import dev.kairos.runtime.engine.EngineRegistry;
import dev.kairos.runtime.host.FootprintMeter;
import dev.kairos.runtime.host.HostConfig;
import dev.kairos.runtime.host.ModelHost;
import dev.kairos.runtime.host.ResidentMemory;
import dev.kairos.runtime.host.TrustedPredictors;
import dev.kairos.runtime.metrics.RuntimeMeters;
import dev.kairos.sdk.time.Clock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How much a host's light loads gain from warming the load path up first: in one in-process
 * ModelHost (the hosts' settings: 1 thread per model), WARM load+unload cycles of the platform's
 * warm-up model, then the loads of models m0..m(N-1) of a repository, LOADS at once (as a storm
 * sends them), each timed; prints the warm-up's time and the loads' median and range.
 *
 * <pre>
 * R=$(/usr/bin/python3 -c "import sys; sys.path.insert(0, 'tools/bench/hosts'); import serve; \
 *     print(serve.repository(25))")
 * MALLOC_ARENA_MAX=2 MALLOC_TRIM_THRESHOLD_=1048576 MALLOC_MMAP_THRESHOLD_=16777216 \
 *   java -XX:+UseSerialGC -Xms32m -Xmx512m -cp "cli/target/lib/*:cli/target/kairos-cli.jar" \
 *   tools/bench/storm/LoadPathWarmth.java $R 25 WARM [LOADS]
 * </pre>
 */
public class LoadPathWarmth {
  public static void main(String[] args) throws Exception {
    Path repo = Path.of(args[0]);
    int n = Integer.parseInt(args[1]);
    int warm = Integer.parseInt(args[2]);
    int atOnce = args.length > 3 ? Integer.parseInt(args[3]) : 2;
    EngineRegistry engines = EngineRegistry.discover();
    engines.get("onnxruntime").start(1);
    ModelHost host =
        new ModelHost(
            new HostConfig(
                2L << 30, atOnce, java.time.Duration.ZERO, 1, 1, 1, TrustedPredictors.none()),
            engines,
            Clock.system(),
            new RuntimeMeters(),
            new FootprintMeter(new ResidentMemory()));
    Path folder = Files.createTempDirectory("warm-");
    Path model = WarmUpModel.writeTo(folder);
    try {
      long w0 = System.nanoTime();
      for (int i = 0; i < warm; i++) {
        host.load(WarmUpModel.NAME, model, "1").join();
        host.unload(WarmUpModel.NAME, "1").join();
      }
      double warmMs = (System.nanoTime() - w0) / 1e6;
      List<Double> ms = new ArrayList<>();
      long s0 = System.nanoTime();
      List<java.util.concurrent.CompletableFuture<Void>> all = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        long t0 = System.nanoTime();
        all.add(
            host.load("m" + i, repo.resolve("m" + i), null)
                .thenAccept(
                    x -> {
                      synchronized (ms) {
                        ms.add((System.nanoTime() - t0) / 1e6);
                      }
                    }));
      }
      all.forEach(java.util.concurrent.CompletableFuture::join);
      double total = (System.nanoTime() - s0) / 1e6;
      List<Double> sorted = ms.stream().sorted().toList();
      System.out.printf(
          "warm-up %d cycles %.0f ms; %d loads (%d at once): all done in %.0f ms, each p50 %.1f ms"
              + " (min %.1f, max %.1f)%n",
          warm, warmMs, n, atOnce, total, sorted.get(n / 2), sorted.get(0), sorted.get(n - 1));
    } finally {
      host.close();
    }
  }
}
