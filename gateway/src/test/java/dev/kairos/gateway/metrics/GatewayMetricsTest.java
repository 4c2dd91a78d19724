package dev.kairos.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.gateway.route.RouteTable;
import org.junit.jupiter.api.Test;

class GatewayMetricsTest {
  @Test
  void shouldSumAModelsVersionsIntoTotalsWithPerBucketLatencyCounts() {
    GatewayMetrics m = new GatewayMetrics(new RouteTable());
    m.answered("mlp", "1", 200, 3_000_000L); // 3 ms
    m.answered("mlp", "2", 200, 3_000_000L);
    m.answered("mlp", "2", 503, 700_000_000L); // 0.7 s
    m.answered("cnn", "1", 200, 20_000_000L);

    ModelTotals mlp = m.modelTotals().get("mlp");
    assertThat(mlp.requests()).isEqualTo(3);
    assertThat(mlp.errors()).isEqualTo(1);
    int fiveMs = indexOf(mlp.latencyUpperBounds(), 0.005);
    int oneS = indexOf(mlp.latencyUpperBounds(), 1.0);
    assertThat(mlp.latencyCounts()[fiveMs]).isEqualTo(2);
    assertThat(mlp.latencyCounts()[oneS]).isEqualTo(1);
    assertThat(java.util.Arrays.stream(mlp.latencyCounts()).sum()).isEqualTo(3);
    assertThat(m.modelTotals()).containsOnlyKeys("cnn", "mlp");
  }

  private static int indexOf(double[] bounds, double v) {
    for (int i = 0; i < bounds.length; i++) {
      if (bounds[i] == v) {
        return i;
      }
    }
    throw new AssertionError("no bucket " + v);
  }
}
