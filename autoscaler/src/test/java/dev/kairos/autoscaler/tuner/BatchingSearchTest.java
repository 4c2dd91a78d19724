package dev.kairos.autoscaler.tuner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.autoscaler.simulator.BatchLatencies;
import dev.kairos.autoscaler.simulator.LatencyModel;
import dev.kairos.autoscaler.simulator.SimulationOptions;
import dev.kairos.autoscaler.simulator.Trace;
import dev.kairos.sdk.model.BatchingConfig;
import dev.kairos.sdk.model.InvalidKnobException;
import dev.kairos.sdk.model.ScalingConfig;
import dev.kairos.sdk.model.ScalingKnobs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mlp example's profile (measured by {@code kairos profile examples/models/mlp}, kept as a test
 * resource) under bursty arrivals: batching lets one replica take bursts that otherwise need more.
 */
class BatchingSearchTest {
  @TempDir Path dir;

  private static final ScalingConfig BASE =
      ScalingKnobs.apply(ScalingConfig.DEFAULT, Map.of("maxReplicas", 20, "targetConcurrency", 1));

  private static BatchLatencies mlpProfile() throws IOException {
    try (InputStream in = BatchingSearchTest.class.getResourceAsStream("/mlp-profile.json")) {
      JsonNode n = new ObjectMapper().readTree(in);
      List<Integer> sizes = new ArrayList<>();
      List<Double> seconds = new ArrayList<>();
      for (JsonNode l : n.get("latencies")) {
        sizes.add(l.get("batchSize").asInt());
        seconds.add(l.get("p50Nanos").asLong() / 1e9);
      }
      return new BatchLatencies(
          sizes.stream().mapToInt(i -> i).toArray(),
          seconds.stream().mapToDouble(d -> d).toArray());
    }
  }

  /** One minute: 2,000 requests/s, with two 3-second bursts of 50,000/s. */
  private Trace bursty() throws IOException {
    StringBuilder b = new StringBuilder();
    SplittableRandom r = new SplittableRandom(11);
    double t = 0;
    while (t < 60) {
      boolean burst = (t >= 15 && t < 18) || (t >= 40 && t < 43);
      t += -Math.log(1 - r.nextDouble()) / (burst ? 50_000 : 2_000);
      b.append(String.format(Locale.ROOT, "%.6f,mlp%n", t));
    }
    Path f = dir.resolve("bursty.csv");
    Files.writeString(f, b);
    return Trace.csv(f);
  }

  private static TuningResult search(Trace t, BatchLatencies profile, List<KnobRange> ranges) {
    SimulationOptions options =
        new SimulationOptions(new LatencyModel(0.001, 1, 1.0), 0.1, 2, 60, 3);
    SearchSpace space =
        new SearchSpace(
            BASE, new BatchingConfig(1, java.time.Duration.ZERO, 256, List.of()), profile, ranges);
    return new Tuner(
            options,
            new Goal(Objective.REPLICA_SECONDS, 0.99),
            new Budget(12, null),
            "evolution",
            1,
            1)
        .tune(t, m -> space, (done, total, model, replays) -> {});
  }

  @Test
  void shouldMeetTheSameSloMoreCheaplyWhenBatchingIsSearchedWithScaling() throws IOException {
    Trace t = bursty();
    BatchLatencies profile = mlpProfile();
    List<KnobRange> scaling =
        List.of(
            new KnobRange("minReplicas", 0, 3),
            new KnobRange("targetUtilizationPercentage", 30, 100));
    List<KnobRange> both = new ArrayList<>(scaling);
    both.add(new KnobRange("maxBatchSize", 1, 32));
    both.add(new KnobRange("maxQueueDelay", 0, 0.005));

    ModelRecommendation alone = search(t, profile, scaling).models().get(0);
    ModelRecommendation together = search(t, profile, both).models().get(0);

    assertThat(alone.current().attainment())
        .as("one request at a time misses in bursts")
        .isLessThan(0.99);
    assertThat(alone.reachable()).isTrue();
    assertThat(together.reachable()).isTrue();
    assertThat(together.best().replicaSeconds())
        .as("batching and scaling vs scaling alone, both at 99%%")
        .isLessThan(alone.best().replicaSeconds());
    assertThat((int) together.best().setting().batching().maxBatchSize()).isGreaterThan(1);
  }

  @Test
  void shouldRefuseBatchingKnobsWithoutAProfileAndOutsideTheirRules() throws IOException {
    assertThatThrownBy(
            () ->
                new SearchSpace(
                    BASE, BatchingConfig.DEFAULT, List.of(new KnobRange("maxBatchSize", 1, 8))))
        .isInstanceOf(InvalidKnobException.class)
        .hasMessageStartingWith("maxBatchSize")
        .hasMessageContaining("needs the model's profile");
    assertThatThrownBy(
            () ->
                new SearchSpace(
                    BASE,
                    BatchingConfig.DEFAULT,
                    mlpProfile(),
                    List.of(new KnobRange("maxBatchSize", 1, 8192))))
        .isInstanceOf(InvalidKnobException.class)
        .hasMessageStartingWith("maxBatchSize")
        .hasMessageContaining("must be between 1 and 4096");
  }
}
