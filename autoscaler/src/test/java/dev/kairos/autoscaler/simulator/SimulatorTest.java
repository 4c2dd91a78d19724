package dev.kairos.autoscaler.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kairos.sdk.model.BatchingConfig;
import dev.kairos.sdk.model.ScalingConfig;
import dev.kairos.sdk.model.ScalingKnobs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulatorTest {
  @TempDir Path dir;

  private static final ScalingConfig ONE_PER_REPLICA =
      ScalingKnobs.apply(
          ScalingConfig.DEFAULT,
          Map.of(
              "maxReplicas", 100,
              "initialScale", 0,
              "targetConcurrency", 1,
              "targetUtilizationPercentage", 100));

  private static SimulationOptions options(double service, double coldStart) {
    return new SimulationOptions(new LatencyModel(service, 1, coldStart), 0.1, 2, 60, 7);
  }

  /** Model a once an hour-ish; model z only stretches the trace past a's last visit. */
  private static final String SPARSE = "0,a\n3000,a\n6000,a\n7200,z\n";

  private static ModelResult model(SimulationResult r, String name) {
    return r.models().stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
  }

  private Trace csv(String text) throws IOException {
    Path f = dir.resolve("trace.csv");
    Files.writeString(f, text);
    return Trace.csv(f);
  }

  @Test
  void shouldProvisionLittlesLawReplicasUnderSteadyLoad() throws IOException {
    StringBuilder b = new StringBuilder("timestamp,model\n");
    for (int i = 0; i < 6000; i++) {
      b.append(i * 0.1).append(",a\n"); // 10 requests/s for 10 minutes
    }
    SimulationResult r =
        new Simulator(options(0.5, 1.0), 1).run(csv(b.toString()), "x", ONE_PER_REPLICA);
    ModelResult a = r.models().get(0);
    assertThat(a.requests()).isEqualTo(6000);
    // 10/s × 0.5 s = 5 busy replicas; over 600 s that is about 3000 replica-seconds
    assertThat(a.replicaSeconds()).isBetween(2700.0, 4500.0);
    assertThat(a.maxReplicas()).as("the start-up panic overshoots, then settles").isBetween(5, 25);
    assertThat(a.sloAttainment()).isGreaterThan(0.95);
    assertThat(a.coldStarts()).isEqualTo(1);
    assertThat(a.p50()).isCloseTo(0.5, within(0.02));
  }

  @Test
  void shouldScaleToZeroBetweenSparseRequestsAndPayTheColdStartEachTime() throws IOException {
    Trace t = csv(SPARSE);
    ModelResult a = model(new Simulator(options(0.2, 2.0), 1).run(t, "x", ONE_PER_REPLICA), "a");
    assertThat(a.coldStarts()).isEqualTo(3);
    assertThat(a.coldRequests()).isEqualTo(3);
    assertThat(a.sloAttainment()).isZero();
    assertThat(a.p50()).isCloseTo(2.2, within(0.05));
    // each visit keeps a replica for about a stable window (60 s) plus the grace period (30 s)
    assertThat(a.replicaSeconds()).isBetween(3 * 60.0, 3 * 110.0);
  }

  @Test
  void shouldKeepAWarmReplicaWithMinReplicasOne() throws IOException {
    Trace t = csv(SPARSE);
    ScalingConfig warm =
        ScalingKnobs.apply(ONE_PER_REPLICA, Map.of("minReplicas", 1, "initialScale", 1));
    ModelResult a = model(new Simulator(options(0.2, 2.0), 1).run(t, "x", warm), "a");
    assertThat(a.coldStarts()).isZero();
    assertThat(a.sloAttainment()).isEqualTo(1.0);
    assertThat(a.replicaSeconds()).isCloseTo(7201.0, within(10.0));
  }

  @Test
  void shouldRunOneBatchAtATimePerReplicaWhateverTheReplicaConcurrency() throws IOException {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 3000; i++) {
      b.append(i / 300.0).append(",a\n"); // 300 requests/s for 10 s
    }
    Trace t = csv(b.toString());
    ScalingConfig one =
        ScalingKnobs.apply(
            ScalingConfig.DEFAULT,
            Map.of("minReplicas", 1, "maxReplicas", 1, "initialScale", 1, "targetConcurrency", 8));
    // the autoscaler targets 8 requests per replica; a batch of one takes 10 ms on the profile
    SimulationOptions eight =
        new SimulationOptions(new LatencyModel(Double.NaN, 8, 1.0), 0.1, 2, 60, 7);
    BatchLatencies tenMs = new BatchLatencies(new int[] {1}, new double[] {0.010});
    BatchingConfig unbatched = new BatchingConfig(1, java.time.Duration.ZERO, 256, List.of());

    ModelResult served =
        new Simulator(eight, 1).replay(t, 0, one, new Batching(unbatched, tenMs), 10);
    ModelResult fourWorkers =
        new Simulator(eight, 1).replay(t, 0, one, new Batching(unbatched, tenMs, 4), 10);

    // one worker serves 100/s of the 300/s offered: the queue grows and most requests wait
    assertThat(served.sloAttainment()).isLessThan(0.2);
    assertThat(served.p50()).isGreaterThan(1.0);
    // four workers serve 400/s: every request is served at once
    assertThat(fourWorkers.sloAttainment()).isGreaterThan(0.99);
  }

  @Test
  void shouldReplayTheSameTraceIdenticallyWithTheSameSeed() throws IOException {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 500; i++) {
      b.append(i * 0.37 % 120).append(i % 3 == 0 ? ",a\n" : ",b\n");
    }
    Trace t = csv(b.toString());
    SimulationResult x = new Simulator(options(0.3, 1.0), 2).run(t, "x", ONE_PER_REPLICA);
    SimulationResult y = new Simulator(options(0.3, 1.0), 1).run(t, "x", ONE_PER_REPLICA);
    assertThat(x.overall().replicaSeconds()).isEqualTo(y.overall().replicaSeconds());
    assertThat(x.overall().withinSlo()).isEqualTo(y.overall().withinSlo());
    assertThat(new SimulationReport(t, options(0.3, 1.0), java.util.List.of(x, y)).html(2))
        .contains("<svg", "polyline", "SLO attainment");
  }

  @Test
  void shouldReadIsoTimestampsAndSkipAHeader() throws IOException {
    Trace t = csv("timestamp,model\n2019-07-01T00:00:00Z,m\n2019-07-01T00:00:30.5Z,m\n");
    assertThat(t.models()).hasSize(1);
    assertThat(t.totalRequests()).isEqualTo(2);
    assertThat(t.durationSeconds()).isEqualTo(32.0);
  }

  @Test
  void shouldSpreadPerMinuteCountsInsideTheirMinuteInOrder() {
    PerMinuteModel m =
        new PerMinuteModel("f", new int[] {3, 0, 5}, new double[] {10, 10, 20, 30, 40, 50, 60});
    TraceModel.Arrivals a = m.arrivals(new java.util.SplittableRandom(1));
    int n = 0;
    double last = -1;
    while (a.next()) {
      assertThat(a.time()).isGreaterThanOrEqualTo(last);
      assertThat(a.time() < 60.0 || a.time() >= 120.0).as("minute 2 has no requests").isTrue();
      assertThat(a.serviceTime()).isBetween(0.01, 0.06);
      last = a.time();
      n++;
    }
    assertThat(n).isEqualTo(8);
    assertThat(m.serviceTimeAt(0.5)).isCloseTo(0.030, within(1e-9));
  }
}
