package dev.kairos.autoscaler.tuner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.autoscaler.simulator.LatencyModel;
import dev.kairos.autoscaler.simulator.SimulationOptions;
import dev.kairos.autoscaler.simulator.Trace;
import dev.kairos.sdk.model.BatchingConfig;
import dev.kairos.sdk.model.InvalidKnobException;
import dev.kairos.sdk.model.ScalingConfig;
import dev.kairos.sdk.model.ScalingKnobs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TunerTest {
  @TempDir Path dir;

  private static final ScalingConfig BASE =
      ScalingKnobs.apply(ScalingConfig.DEFAULT, Map.of("maxReplicas", 100, "targetConcurrency", 1));

  private static SimulationOptions options() {
    return new SimulationOptions(new LatencyModel(0.5, 1, 1.0), 0.1, 2, 60, 7);
  }

  /**
   * Two models over two hours. "bursty": 2 requests/s, with 10-minute bursts of 12/s every half
   * hour; "sparse": a request every 7 minutes or so.
   */
  private Trace trace() throws IOException {
    StringBuilder b = new StringBuilder("timestamp,model\n");
    SplittableRandom r = new SplittableRandom(3);
    double t = 0;
    while (t < 7200) {
      boolean burst = (t % 1800) < 600;
      t += -Math.log(1 - r.nextDouble()) / (burst ? 12 : 2);
      b.append(String.format(java.util.Locale.ROOT, "%.3f,bursty%n", t));
    }
    for (double s = 30; s < 7200; s += 400 + r.nextDouble() * 80) {
      b.append(String.format(java.util.Locale.ROOT, "%.3f,sparse%n", s));
    }
    Path f = dir.resolve("trace.csv");
    Files.writeString(f, b);
    return Trace.csv(f);
  }

  private static SearchSpace space(List<KnobRange> ranges) {
    return new SearchSpace(BASE, BatchingConfig.DEFAULT, ranges);
  }

  private static TuningResult tune(
      Trace t, Goal goal, double budget, String method, long seed, List<KnobRange> ranges) {
    return new Tuner(options(), goal, new Budget(budget, null), method, seed, 2)
        .tune(t, m -> space(ranges), (done, total, model, replays) -> {});
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "targetUtilizationPercentage=0..100 | targetUtilizationPercentage | must be between 1 and 100",
        "panicThresholdPercentage=100..300  | panicThresholdPercentage    | must be between 110 and 1000",
        "scaleToZeroAfter=0s..2h            | scaleToZeroAfter            | must be between 0s and 1h",
        "stableWindow=1s..60s               | stableWindow                | must be between 6s and 1h",
        "maxScaleDownRate=1..4              | maxScaleDownRate            | must be > 1.0",
        "activationScale=0..3               | activationScale             | must be >= 1",
        "minReplicas=0..200                 | minReplicas                 | must be >= minReplicas",
        "replicas=1..2                      | replicas                    | not a knob the search can turn",
        "targetConcurrency=8..2             | targetConcurrency           | from low to high",
        "stableWindow=6s..forever           | stableWindow                | expected a duration",
      })
  void shouldRefuseARangeThePlatformWouldNotAcceptNamingTheKnobAndTheRule(
      String range, String knob, String rule) {
    assertThatThrownBy(() -> space(List.of(KnobRange.parse(range))))
        .isInstanceOf(InvalidKnobException.class)
        .hasMessageStartingWith(knob)
        .hasMessageContaining(rule);
  }

  @Test
  void shouldAcceptTheDefaultRangesAndWriteValuesAsModelYamlDoes() {
    SearchSpace s = space(SearchSpace.DEFAULT_SCALING);
    assertThat(s.dimensions()).isEqualTo(5);
    Setting low = s.decode(new double[] {0, 0, 0, 0, 0}).orElseThrow();
    assertThat(low.knobs())
        .containsEntry("targetUtilizationPercentage", 30.0)
        .containsEntry("stableWindow", "10s")
        .containsEntry("scaleToZeroAfter", "0s")
        .containsEntry("minReplicas", 0);
    Setting high = s.decode(new double[] {1, 1, 1, 1, 1}).orElseThrow();
    assertThat(high.knobs()).containsEntry("scaleToZeroAfter", "30m");
    assertThat(high.scaling().minReplicas()).isEqualTo(1);
  }

  @Test
  void shouldNeverReplayASettingThePlatformWouldRefuse() throws IOException {
    // a 6 s stable window with a 5% panic window is a 0.3 s panic window: refused by the platform
    List<KnobRange> ranges =
        List.of(
            new KnobRange("stableWindow", 6, 120), new KnobRange("panicWindowPercentage", 1, 30));
    SearchSpace s = space(ranges);
    assertThat(s.decode(new double[] {0, 0})).as("a refused combination").isEmpty();
    TuningResult r =
        tune(trace(), new Goal(Objective.REPLICA_SECONDS, 0.9), 30, "evolution", 1, ranges);
    for (ModelRecommendation m : r.models()) {
      assertThat(m.evaluated()).hasSizeGreaterThan(3);
      for (Evaluation e : m.evaluated()) {
        assertThat(ScalingKnobs.apply(BASE, e.setting().knobs())).isEqualTo(e.setting().scaling());
        assertThat(e.setting().scaling().panicWindow())
            .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
      }
    }
  }

  @Test
  void shouldFindACheaperSettingThatStillMeetsTheSlo() throws IOException {
    TuningResult r =
        tune(
            trace(),
            new Goal(Objective.REPLICA_SECONDS, 0.95),
            40,
            "evolution",
            1,
            SearchSpace.DEFAULT_SCALING);
    ModelRecommendation bursty = model(r, "bursty");
    assertThat(bursty.current().attainment()).isLessThan(0.95);
    assertThat(bursty.reachable()).isTrue();
    assertThat(bursty.best().attainment()).isGreaterThanOrEqualTo(0.95);
    assertThat(bursty.replays()).isLessThanOrEqualTo(40.0 + 1e-9);
    assertThat(r.recommended().attainment()).isGreaterThan(r.current().attainment());
  }

  @Test
  void shouldKeepEachModelAtLeastAtItsCurrentAttainmentAndNeverCostMoreWhenAskedTo()
      throws IOException {
    TuningResult r =
        tune(
            trace(),
            new Goal(Objective.REPLICA_SECONDS, Double.NaN),
            30,
            "evolution",
            4,
            SearchSpace.DEFAULT_SCALING);
    for (ModelRecommendation m : r.models()) {
      assertThat(m.best().attainment()).isGreaterThanOrEqualTo(m.current().attainment());
      assertThat(m.best().replicaSeconds()).isLessThanOrEqualTo(m.current().replicaSeconds());
    }
    assertThat(r.recommended().attainment()).isGreaterThanOrEqualTo(r.current().attainment());
  }

  @Test
  void shouldMeetAFleetTargetAtNoMoreCostThanTheCurrentSettings() throws IOException {
    TuningResult r =
        tune(
            trace(),
            new Goal(Objective.REPLICA_SECONDS, Double.NaN, true),
            30,
            "evolution",
            4,
            SearchSpace.DEFAULT_SCALING);
    assertThat(r.unreachable()).isEmpty();
    assertThat(r.recommended().attainment()).isGreaterThanOrEqualTo(r.current().attainment());
    assertThat(r.recommended().replicaSeconds()).isLessThanOrEqualTo(r.current().replicaSeconds());
    for (ModelRecommendation m : r.models()) {
      assertThat(m.target()).isEqualTo(r.current().attainment());
      assertThat(m.evaluated()).contains(m.best());
    }

    TuningResult impossible =
        tune(
            trace(),
            new Goal(Objective.REPLICA_SECONDS, 1.0, true),
            10,
            "evolution",
            4,
            List.of(new KnobRange("scaleToZeroAfter", 0, 60)));
    assertThat(impossible.unreachable()).hasSize(2);
    assertThat(impossible.recommended().attainment()).isLessThan(1.0);
  }

  @Test
  void shouldReportAnUnreachableSloWithTheBestReachableAttainment() throws IOException {
    // a cold start (1 s) is longer than the SLO's wait (100 ms) and the model may not stay warm:
    // the first request after each idle spell misses, so 100% is out of reach
    List<KnobRange> ranges =
        List.of(new KnobRange("scaleToZeroAfter", 0, 120), new KnobRange("stableWindow", 10, 60));
    TuningResult r =
        tune(trace(), new Goal(Objective.REPLICA_SECONDS, 1.0), 20, "evolution", 1, ranges);
    ModelRecommendation sparse = model(r, "sparse");
    assertThat(sparse.reachable()).isFalse();
    assertThat(r.unreachable()).contains(sparse);
    double bestSeen =
        sparse.evaluated().stream().mapToDouble(Evaluation::attainment).max().orElseThrow();
    assertThat(sparse.best().attainment()).isEqualTo(bestSeen);
  }

  @Test
  void shouldRecommendTheSameSettingsForTheSameSeed() throws IOException {
    Trace t = trace();
    Goal g = new Goal(Objective.REPLICA_SECONDS, 0.95);
    TuningResult a = tune(t, g, 25, "evolution", 9, SearchSpace.DEFAULT_SCALING);
    TuningResult b = tune(t, g, 25, "evolution", 9, SearchSpace.DEFAULT_SCALING);
    for (int i = 0; i < a.models().size(); i++) {
      assertThat(b.models().get(i).best()).isEqualTo(a.models().get(i).best());
      assertThat(b.models().get(i).evaluated()).isEqualTo(a.models().get(i).evaluated());
    }
  }

  @ParameterizedTest(name = "budget {0}, seed {1}")
  @CsvSource({"30, 1", "50, 2"})
  void shouldDoAtLeastAsWellAsAGridWithTheSameReplayBudget(double budget, long seed)
      throws IOException {
    Trace t = trace();
    List<KnobRange> ranges =
        List.of(
            new KnobRange("targetUtilizationPercentage", 30, 100),
            new KnobRange("stableWindow", 10, 300),
            new KnobRange("panicThresholdPercentage", 110, 400));
    Goal g = new Goal(Objective.REPLICA_SECONDS, 0.97);
    TuningResult evolution = tune(t, g, budget, "evolution", seed, ranges);
    TuningResult grid = tune(t, g, budget, "grid", seed, ranges);
    for (int i = 0; i < evolution.models().size(); i++) {
      ModelRecommendation e = evolution.models().get(i);
      ModelRecommendation x = grid.models().get(i);
      assertThat(x.replays()).isLessThanOrEqualTo(budget);
      assertThat(e.replays()).isLessThanOrEqualTo(budget + 1e-9);
      assertThat(Score.of(e.best(), g.objective(), e.target()))
          .as(e.model())
          .isLessThanOrEqualTo(Score.of(x.best(), g.objective(), x.target()));
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "replica-seconds | 1 | 0",
        "cold-starts     | 0 | 1",
        "mix:30          | 1 | 30",
      })
  void shouldParseObjectives(String text, double rs, double cs) {
    assertThat(Objective.parse(text)).isEqualTo(new Objective(rs, cs));
  }

  @Test
  void shouldRefuseAnUnknownObjectiveAndMethod() {
    assertThatThrownBy(() -> Objective.parse("latency"))
        .hasMessageContaining("replica-seconds, cold-starts, mix:W");
    assertThatThrownBy(() -> SearchMethod.named("annealing"))
        .hasMessageContaining("evolution, grid");
  }

  private static ModelRecommendation model(TuningResult r, String name) {
    List<ModelRecommendation> out = new ArrayList<>(r.models());
    return out.stream().filter(m -> m.model().equals(name)).findFirst().orElseThrow();
  }
}
