package dev.kairos.multiplexer.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.multiplexer.arbiter.policy.DeadlineAwarePolicy;
import dev.kairos.multiplexer.arbiter.policy.FifoPolicy;
import dev.kairos.multiplexer.arbiter.policy.SlicePolicies;
import dev.kairos.multiplexer.placement.ModelDemand;
import dev.kairos.multiplexer.placement.Placement;
import dev.kairos.multiplexer.placement.WorkloadClass;
import dev.kairos.multiplexer.profile.BatchLatency;
import dev.kairos.multiplexer.profile.ModelProfile;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FleetSimulationTest {
  private static final long MS = 1_000_000L;

  private final ModelDemand heavy =
      new ModelDemand(
          "resnet",
          new ModelProfile(
              "resnet",
              "V100",
              List.of(
                  new BatchLatency(1, 3_300_000, 3_600_000),
                  new BatchLatency(8, 12_400_000, 13_600_000)),
              1 << 30,
              0,
              "test"),
          200,
          150 * MS,
          WorkloadClass.HEAVY);
  private final ModelDemand light =
      new ModelDemand(
          "mlp",
          new ModelProfile(
              "mlp", "V100", List.of(new BatchLatency(1, MS / 2, MS)), 1 << 28, 0, "t"),
          50,
          15 * MS,
          WorkloadClass.LIGHT);

  /** Poisson arrivals over 20 s, seeded. */
  private static long[] poisson(double rate, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    long[] out = new long[(int) (rate * 40)];
    long t = 0;
    int n = 0;
    while (n < out.length) {
      t += (long) (-Math.log(1 - r.nextDouble()) / rate * 1e9);
      if (t > 20_000 * MS) {
        break;
      }
      out[n++] = t;
    }
    return java.util.Arrays.copyOf(out, n);
  }

  private FleetResult run(FleetSimulation sim) {
    Placement shared = new Placement(Map.of("gpu0", List.of(heavy, light)), List.of());
    return sim.run(shared, Map.of("resnet", poisson(400, 1), "mlp", poisson(50, 2)));
  }

  @Test
  void deadlineAwareArbitrationShouldKeepTheLightModelFastBesideABusyHeavyOne() {
    FleetResult fifo = run(new FleetSimulation(FifoPolicy::new, false, 7));
    FleetResult deadline =
        run(
            new FleetSimulation(
                () -> new DeadlineAwarePolicy(SlicePolicies.LIGHT_PRIORITY, 8 * MS, 200 * MS),
                true,
                7));
    assertThat(fifo.requests()).isEqualTo(deadline.requests()).isGreaterThan(8000);
    // under FIFO the light request queues behind heavy batches of up to 8
    assertThat(deadline.lightP99Nanos()).isLessThan(fifo.lightP99Nanos());
    assertThat(deadline.lightP99Nanos()).isLessThan(15 * MS);
    // heavy keeps most of its throughput despite smaller batches
    assertThat(deadline.heavyCompleted()).isGreaterThan((long) (fifo.heavyCompleted() * 0.95));
  }

  @Test
  void theSameSeedShouldGiveTheSameResult() {
    FleetSimulation sim = new FleetSimulation(FifoPolicy::new, false, 11);
    assertThat(run(sim)).isEqualTo(run(sim));
  }
}
