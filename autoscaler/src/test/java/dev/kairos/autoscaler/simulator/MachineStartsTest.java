package dev.kairos.autoscaler.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

import dev.kairos.autoscaler.simulator.Machine.StartKind;
import dev.kairos.sdk.model.ScalingConfig;
import dev.kairos.sdk.model.ScalingKnobs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts that contend for one machine: a storm of cold starts, start limits, memory. Latencies are
 * read from the replay's histogram, which keeps them to within 2 %.
 */
class MachineStartsTest {
  @TempDir Path dir;

  private static final ScalingConfig ONE_PER_REPLICA =
      ScalingKnobs.apply(
          ScalingConfig.DEFAULT,
          Map.of(
              "maxReplicas", 100,
              "initialScale", 0,
              "targetConcurrency", 1,
              "targetUtilizationPercentage", 100));

  /** One request to each of {@code models} models at the same instant; the trace lasts 10 min. */
  private Trace storm(int models) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < models; i++) {
      b.append("0,m").append(i).append('\n');
    }
    b.append("600,end\n");
    Path f = dir.resolve("storm.csv");
    Files.writeString(f, b.toString());
    return Trace.csv(f);
  }

  private static List<Double> latencies(SimulationResult r) {
    return r.models().stream()
        .filter(m -> !m.name().equals("end"))
        .map(ModelResult::p50)
        .sorted(Comparator.naturalOrder())
        .toList();
  }

  private static SimulationResult replay(Trace t, Machine machine, double start) {
    SimulationOptions o =
        new SimulationOptions(new LatencyModel(0.01, 1, start, machine), 0.1, 2, 60, 7);
    return new Simulator(o, 2).run(t, "storm", ONE_PER_REPLICA);
  }

  @Test
  void shouldStartEveryModelInOneStartTimeWhenStartsDoNotContend() throws IOException {
    List<Double> l = latencies(replay(storm(10), Machine.UNBOUNDED, 1.0));
    assertThat(l).hasSize(10).allSatisfy(x -> assertThat(x).isCloseTo(1.01, withinPercentage(2.5)));
  }

  @Test
  void shouldShareTheMachinesStartCapacityAmongConcurrentProcessStarts() throws IOException {
    // ten JVM starts of 1 s alone on a machine that runs two at full speed: each progresses at a
    // fifth of full speed, so all ten are ready after 5 s, not 1 s
    Machine twoCores = new Machine(StartKind.PROCESS, 2, 0, 0, 0);
    List<Double> l = latencies(replay(storm(10), twoCores, 1.0));
    assertThat(l).allSatisfy(x -> assertThat(x).isCloseTo(5.01, withinPercentage(2.5)));
  }

  @Test
  void shouldQueueStartsBeyondTheConcurrencyLimitInTheOrderAsked() throws IOException {
    Machine twoAtOnce = new Machine(StartKind.HOST_LOAD, 0, 2, 0, 0);
    List<Double> l = latencies(replay(storm(6), twoAtOnce, 0.05));
    assertThat(l.get(0)).isCloseTo(0.06, withinPercentage(2.5));
    assertThat(l.get(1)).isCloseTo(0.06, withinPercentage(2.5));
    assertThat(l.get(2)).isCloseTo(0.11, withinPercentage(2.5));
    assertThat(l.get(5)).isCloseTo(0.16, withinPercentage(2.5));
  }

  @Test
  void shouldNotStartAReplicaThatDoesNotFitUntilAnotherGoesAway() throws IOException {
    // memory for three replicas: the fourth model waits until one of the first three scales to
    // zero (a stable window plus the grace period after its request)
    Machine small = new Machine(StartKind.PROCESS, 0, 0, 300, 100);
    List<Double> l = latencies(replay(storm(4), small, 1.0));
    assertThat(l.subList(0, 3))
        .allSatisfy(x -> assertThat(x).isCloseTo(1.01, withinPercentage(2.5)));
    assertThat(l.get(3)).isGreaterThan(60.0);
  }

  @Test
  void shouldGiveTheSameResultsPerModelOnAnUnboundedMachineWhetherReplayedAloneOrTogether()
      throws IOException {
    Trace t = storm(5);
    SimulationOptions o = new SimulationOptions(new LatencyModel(0.01, 1, 1.0), 0.1, 2, 60, 7);
    SimulationResult alone = new Simulator(o, 2).run(t, "x", ONE_PER_REPLICA);
    // a memory bound that never binds makes the models replay together on one clock
    Machine roomy = new Machine(StartKind.PROCESS, 0, 0, 1_000_000, 1);
    SimulationResult together = replay(t, roomy, 1.0);
    assertThat(together.overall().replicaSeconds())
        .isCloseTo(alone.overall().replicaSeconds(), within(1e-6));
    assertThat(latencies(together)).isEqualTo(latencies(alone));
  }

  @Test
  void shouldRefuseAReplicaLargerThanTheMachine() {
    assertThatThrownBy(() -> new Machine(StartKind.PROCESS, 0, 0, 100, 200))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("200.0 MiB")
        .hasMessageContaining("100.0 MiB");
  }
}
