import dev.kairos.runtime.engine.EngineRegistry;
import dev.kairos.runtime.host.FootprintMeter;
import dev.kairos.runtime.host.HostConfig;
import dev.kairos.runtime.host.ModelHost;
import dev.kairos.runtime.host.ResidentMemory;
import dev.kairos.runtime.host.TrustedPredictors;
import dev.kairos.runtime.metrics.RuntimeMeters;
import dev.kairos.sdk.time.Clock;
import java.nio.file.Path;

/**
 * Loads the models m0..m(N-1) of a repository one after another into one in-process ModelHost (no
 * serve, no HTTP) and prints each load's time: what a host's load costs by itself, under whatever
 * environment the JVM is started with (compare with and without the malloc settings serve gives
 * its processes).
 *
 * <pre>
 * R=$(/usr/bin/python3 -c "import sys; sys.path.insert(0, 'tools/bench/hosts'); import serve; \
 *     print(serve.repository(4, source='tools/bench/models/resnet18'))")
 * java -cp "cli/target/lib/*:cli/target/kairos-cli.jar" tools/bench/hosts/HostLoads.java $R 4
 * MALLOC_ARENA_MAX=2 MALLOC_TRIM_THRESHOLD_=1048576 \
 *     java -cp "cli/target/lib/*:cli/target/kairos-cli.jar" tools/bench/hosts/HostLoads.java $R 4
 * </pre>
 */
public class HostLoads {
  public static void main(String[] args) throws Exception {
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    EngineRegistry engines = EngineRegistry.discover();
    engines.get("onnxruntime").start(1);
    ModelHost host =
        new ModelHost(
            new HostConfig(
                2L << 30, 2, java.time.Duration.ZERO, 1, 1, 1, TrustedPredictors.none()),
            engines,
            Clock.system(),
            new RuntimeMeters(),
            new FootprintMeter(new ResidentMemory()));
    try {
      for (int i = 0; i < n; i++) {
        long t0 = System.nanoTime();
        host.load("m" + i, Path.of(args[0], "m" + i), null).join();
        System.out.printf("host load m%d: %.0f ms%n", i, (System.nanoTime() - t0) / 1e6);
      }
    } finally {
      host.close();
    }
  }
}
