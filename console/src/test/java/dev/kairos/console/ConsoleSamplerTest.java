package dev.kairos.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kairos.gateway.metrics.ModelTotals;
import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.sdk.time.ManualClock;
import java.time.Duration;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ConsoleSamplerTest {
  private static final double[] BOUNDS = {0.001, 0.01, 0.1, Double.POSITIVE_INFINITY};

  private final ManualClock clock = new ManualClock(1_700_000_000_000L, 0);
  private final MetricsRing ring = MetricsRing.defaults();
  private final RouteTable routes = new RouteTable();
  private SortedMap<String, ModelTotals> totals = new TreeMap<>();
  private Map<String, ScalingView.ModelScaling> scaling = Map.of();
  private final ConsoleSampler sampler =
      new ConsoleSampler(clock, ring, () -> totals, routes, () -> scaling);

  private void totals(long requests, long errors, long... buckets) {
    totals =
        new TreeMap<>(Map.of("mlp", new ModelTotals("mlp", requests, errors, BOUNDS, buckets)));
  }

  @Test
  void shouldTurnCountersIntoRatesErrorSharesAndLatencyQuantiles() {
    totals(0, 0, 0, 0, 0, 0);
    sampler.sample();
    clock.advance(Duration.ofSeconds(1));
    // 100 requests in the second: 90 under 10 ms, 10 between 10 and 100 ms; 5 were 5xx
    totals(100, 5, 0, 90, 10, 0);
    scaling = Map.of("mlp", new ScalingView.ModelScaling(3.5, 2, 1, 5.6));
    sampler.sample();

    ModelSample s = ring.latest().get("mlp");
    assertThat(s.atMillis()).isEqualTo(1_700_000_001_000L);
    assertThat(s.requestRate()).isEqualTo(100.0);
    assertThat(s.errorRate()).isEqualTo(0.05);
    assertThat(s.p50Ms()).isCloseTo(1 + 9 * 50 / 90.0, within(1e-9)); // inside (1, 10] ms
    assertThat(s.p99Ms()).isCloseTo(10 + 90 * 9 / 10.0, within(1e-9)); // inside (10, 100] ms
    assertThat(s.concurrency()).isEqualTo(3.5);
    assertThat(s.desiredReplicas()).isEqualTo(2);
    assertThat(s.readyReplicas()).isEqualTo(1);
    assertThat(s.targetConcurrency()).isEqualTo(5.6);
    assertThat(ring.arrivals("mlp", 1_700_000_001L, 2)).containsExactly(0, 100);
  }

  @Test
  void shouldReadAnIdleModelAsNoRateAndNoLatency() {
    routes.model("cnn").version("1").add(new Replica("cnn v1#1", "127.0.0.1", 1));
    sampler.sample();
    clock.advance(Duration.ofSeconds(1));
    sampler.sample();
    ModelSample s = ring.latest().get("cnn");
    assertThat(s.requestRate()).isZero();
    assertThat(s.errorRate()).isZero();
    assertThat(s.p50Ms()).isNaN();
    assertThat(s.inFlight()).isZero();
  }

  @Test
  void shouldReadQuantilesInTheOpenLastBucketAsItsLowerBound() {
    assertThat(ConsoleSampler.quantileMs(BOUNDS, new long[] {0, 0, 0, 4}, 0.99)).isEqualTo(100.0);
    assertThat(ConsoleSampler.quantileMs(BOUNDS, new long[] {0, 0, 0, 0}, 0.5)).isNaN();
  }
}
