package dev.kairos.bench;

import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.sdk.oip.OipPath;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The gateway's per-request routing work: parse the path, pick a version, pick a replica. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouteBenchmark {
  private final RouteTable routes = new RouteTable();
  private final SplittableRandom random = new SplittableRandom(1);

  @Setup
  public void setUp() {
    for (int m = 0; m < 1000; m++) {
      ModelRoute route = routes.model("model-" + m);
      for (int v = 1; v <= 2; v++) {
        for (int r = 0; r < 4; r++) {
          route
              .version(Integer.toString(v))
              .add(new Replica(m + "-" + v + "-" + r, "127.0.0.1", 9000 + r));
        }
      }
      route.setTraffic(Map.of("1", 90, "2", 10));
      route.markReady();
    }
  }

  @Benchmark
  public Replica routeRequest() {
    OipPath p = OipPath.parse("/v2/models/model-417/infer");
    ModelRoute route = routes.find(p.model());
    String version = route.chooseVersion(random);
    return route.existingVersion(version).pick(random).orElseThrow();
  }
}
