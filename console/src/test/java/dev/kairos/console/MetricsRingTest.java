package dev.kairos.console;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MetricsRingTest {
  private static ModelSample at(long millis, double rate) {
    return new ModelSample(millis, rate, 1, 2, 0, 0, 0, 1, 1, 5.6);
  }

  @Test
  void shouldKeepOnlyTheNewestSamplesOfEachModel() {
    MetricsRing ring = new MetricsRing(3, 60, 10);
    for (int i = 0; i < 5; i++) {
      ring.record("mlp", at(i * 1000L, i));
    }
    ring.record("cnn", at(4000, 9));
    assertThat(ring.series("mlp", 0))
        .extracting(ModelSample::requestRate)
        .containsExactly(2.0, 3.0, 4.0);
    assertThat(ring.series("mlp", 3000)).hasSize(2);
    assertThat(ring.latest()).containsOnlyKeys("cnn", "mlp");
    assertThat(ring.latest().get("mlp").requestRate()).isEqualTo(4.0);
    assertThat(ring.series("unknown", 0)).isEmpty();
  }

  @Test
  void shouldReturnArrivalsPerSecondOfTheLastSpanWithZerosWhereNothingWasKept() {
    MetricsRing ring = new MetricsRing(10, 4, 10);
    ring.recordArrivals("mlp", 100, 3);
    ring.recordArrivals("mlp", 100, 2);
    ring.recordArrivals("mlp", 102, 7);
    assertThat(ring.arrivals("mlp", 103, 4)).containsExactly(0, 5, 0, 7);
    ring.recordArrivals("mlp", 104, 1); // slot of second 100 now holds 104
    assertThat(ring.arrivals("mlp", 105, 6)).containsExactly(0, 0, 0, 7, 0, 1);
    assertThat(ring.arrivals("cnn", 105, 2)).containsExactly(0, 0);
  }

  @Test
  void shouldDropTheOldestDecisionsAndFilterByModelAndTime() {
    MetricsRing ring = new MetricsRing(10, 10, 2);
    ring.record(new DecisionEvent(1000, "mlp", "1", 0, 1, false, "none", "a"));
    ring.record(new DecisionEvent(2000, "cnn", "1", 1, 3, true, "none", "b"));
    ring.record(new DecisionEvent(3000, "mlp", "1", 1, 0, false, "none", "c"));
    assertThat(ring.decisions(null, 0)).extracting(DecisionEvent::why).containsExactly("b", "c");
    assertThat(ring.decisions("mlp", 0))
        .extracting(DecisionEvent::kind)
        .containsExactly("scale to zero");
    assertThat(ring.decisions("cnn", 2500)).isEmpty();
  }
}
