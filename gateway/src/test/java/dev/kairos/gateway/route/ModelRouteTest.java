package dev.kairos.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ModelRouteTest {
  @Test
  void shouldSplitTrafficByWeightsWithinStatisticalBounds() {
    ModelRoute route = new ModelRoute("m");
    route.version("1").add(new Replica("a", "127.0.0.1", 1));
    route.version("2").add(new Replica("b", "127.0.0.1", 2));
    route.setTraffic(Map.of("1", 90, "2", 10));
    SplittableRandom random = new SplittableRandom(7);
    Map<String, Integer> counts = new HashMap<>();
    int n = 100_000;
    for (int i = 0; i < n; i++) {
      counts.merge(route.chooseVersion(random), 1, Integer::sum);
    }
    // Binomial(100000, 0.1): sd ≈ 95; 5 sd ≈ 0.5 percentage points.
    assertThat(counts.get("2")).isBetween(9_525, 10_475);
    assertThat(counts.get("1") + counts.get("2")).isEqualTo(n);
  }

  @Test
  void shouldSendEverythingToTheHighestRoutableVersionWithoutWeights() {
    ModelRoute route = new ModelRoute("m");
    route.version("2").add(new Replica("b", "127.0.0.1", 2));
    route.version("10").add(new Replica("c", "127.0.0.1", 3));
    assertThat(route.chooseVersion(new SplittableRandom(1))).isEqualTo("10");
    route.existingVersion("10").all().get(0).drain();
    assertThat(route.chooseVersion(new SplittableRandom(1))).isEqualTo("2");
  }

  @Test
  void shouldRejectNegativeOrZeroWeights() {
    ModelRoute route = new ModelRoute("m");
    assertThatThrownBy(() -> route.setTraffic(Map.of("1", -1))).hasMessageContaining("negative");
    assertThatThrownBy(() -> route.setTraffic(Map.of("1", 0))).hasMessageContaining("add up to 0");
  }

  @Test
  void shouldPreferTheLessLoadedReplicaOfTwoChoices() {
    ReplicaSet set = new ReplicaSet();
    Replica busy = new Replica("busy", "127.0.0.1", 1);
    Replica idle = new Replica("idle", "127.0.0.1", 2);
    set.add(busy);
    set.add(idle);
    for (int i = 0; i < 5; i++) {
      busy.acquire();
    }
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < 100; i++) {
      assertThat(set.pick(random, null)).isSameAs(idle);
    }
    assertThat(set.pick(random, idle)).isSameAs(busy);
    busy.drain();
    assertThat(set.pick(random, idle)).isNull();
  }

  @Test
  void shouldSpreadEvenlyOverEquallyLoadedReplicas() {
    ReplicaSet set = new ReplicaSet();
    for (int i = 0; i < 4; i++) {
      set.add(new Replica("r" + i, "127.0.0.1", i + 1));
    }
    SplittableRandom random = new SplittableRandom(11);
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 40_000; i++) {
      counts.merge(set.pick(random, null).id(), 1, Integer::sum);
    }
    assertThat(counts.values()).allSatisfy(c -> assertThat(c).isBetween(9_000, 11_000));
  }
}
