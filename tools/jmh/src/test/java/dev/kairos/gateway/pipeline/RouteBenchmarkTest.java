package dev.kairos.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.Replica;
import dev.kairos.sdk.time.ManualClock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The routing benchmark goes through the gateway's own chooser, and gives back what each request
 * takes (its in-flight slot, its breaker's permission) as an answered request does, so its
 * iterations measure the same work from the first to the last.
 */
class RouteBenchmarkTest {
  @Test
  void shouldRouteThroughTheChooserAndGiveBackSlotsAndBreakerPermissions() {
    RouteBenchmark bench = new RouteBenchmark();
    ManualClock clock = new ManualClock();
    bench.time = clock;
    bench.setUp();
    ModelRoute route = bench.routes.find("model-417");
    Replica tripped = route.existingVersion("1").all().get(0);
    Replica draining = route.existingVersion("1").all().get(1);
    draining.drain();
    for (int i = 0; i < 20; i++) {
      bench.chooser.breakerOf(tripped).onFailure(1, new IllegalStateException("down"));
    }
    assertThat(tripped.breakerOpen()).isTrue();

    Map<String, Integer> byVersion = new HashMap<>();
    for (int i = 0; i < 2000; i++) {
      Replica r = bench.routeRequest();
      assertThat(r).isNotSameAs(tripped).isNotSameAs(draining);
      byVersion.merge(r.id().split("-")[1], 1, Integer::sum);
    }
    assertThat(byVersion.get("1")).isBetween(1700, 1900); // traffic 90:10

    // Past the open wait, the breaker lets one probe through; only a probe whose success is
    // reported closes it again. A benchmark that took permissions without reporting would leave
    // it half-open, refusing, for the rest of the run.
    clock.advance(Duration.ofSeconds(6));
    for (int i = 0; i < 2000 && !tripped.breakerState().equals("CLOSED"); i++) {
      bench.routeRequest();
    }
    assertThat(tripped.breakerState()).isEqualTo("CLOSED");
    assertThat(route.existingVersion("1").inFlight()).isZero();
    assertThat(route.existingVersion("2").inFlight()).isZero();
  }
}
