package dev.kairos.autoscaler.tuner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.sdk.model.BatchingConfig;
import dev.kairos.sdk.model.ScalingConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FleetAllocationTest {
  /** One replayed setting of 100 requests: "cost/within". */
  private static Evaluation option(String model, String text) {
    String[] f = text.split("/");
    Setting s =
        new Setting(Map.of("tag", model + text), ScalingConfig.DEFAULT, BatchingConfig.DEFAULT);
    return new Evaluation(s, 1.0, 100, Long.parseLong(f[1]), Double.parseDouble(f[0]), 0);
  }

  /** A model's options "cost/within ..."; the first is its current setting. */
  private static ModelRecommendation model(String name, String options) {
    List<Evaluation> all = new ArrayList<>();
    for (String o : options.trim().split("\\s+")) {
      all.add(option(name, o));
    }
    return new ModelRecommendation(name, all.get(0), all.get(0), 0, true, all, 1);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        // label | model a | model b | target | cost | within
        "the price alone finds it | 100/90 50/80 10/0 | 100/100 20/95 | 0.85 | 70  | 175",
        "the slack is given back  | 0/0 100/100       | 0/0 30/50     | 0.50 | 100 | 100",
        "out of reach: most within | 0/0 100/60       | 0/0 30/50     | 0.90 | 130 | 110",
      })
  void shouldMeetTheFleetTargetAtTheLeastCost(
      String label, String a, String b, double target, double cost, long within) {
    List<ModelRecommendation> picked =
        FleetAllocation.allocate(
            List.of(model("a", a), model("b", b)), Objective.REPLICA_SECONDS, target);
    assertThat(picked.stream().mapToDouble(m -> m.best().replicaSeconds()).sum()).isEqualTo(cost);
    assertThat(picked.stream().mapToLong(m -> m.best().withinSlo()).sum()).isEqualTo(within);
    assertThat(picked.get(0).reachable()).isEqualTo(within >= target * 200);
  }
}
