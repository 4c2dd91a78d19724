package dev.kairos.multiplexer.arbiter.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.multiplexer.arbiter.SliceRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** What every {@link SlicePolicy} must do; each policy's test extends this. */
abstract class SlicePolicyContract {
  private static final long MS = 1_000_000L;

  /** A fresh policy. */
  abstract SlicePolicy create();

  private static List<PendingSlice> randomWaiting(SplittableRandom r, int n, long now) {
    List<PendingSlice> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      boolean light = r.nextBoolean();
      out.add(
          new PendingSlice(
              i + 1,
              new SliceRequest(
                  light ? "light" + r.nextInt(3) : "heavy" + r.nextInt(3),
                  (light ? 1 : 20) * MS,
                  light ? SlicePolicies.LIGHT_PRIORITY : SlicePolicies.HEAVY_PRIORITY,
                  r.nextBoolean() ? Long.MAX_VALUE : now + r.nextLong(100 * MS)),
              now - (n - i) * MS,
              "owner" + i));
    }
    return out;
  }

  private List<Integer> drain(Supplier<SlicePolicy> policies, long seed) {
    SlicePolicy p = policies.get();
    long now = 1_000 * MS;
    List<PendingSlice> waiting = randomWaiting(new SplittableRandom(seed), 12, now);
    waiting.forEach(s -> p.onArrival(s, now));
    List<Integer> order = new ArrayList<>();
    while (!waiting.isEmpty()) {
      int i = p.choose(waiting, now);
      assertThat(i).isBetween(0, waiting.size() - 1);
      PendingSlice s = waiting.remove(i);
      order.add((int) s.id());
      p.onReleased(s, s.estimatedNanos());
    }
    return order;
  }

  @Test
  void shouldGrantEverySliceExactlyOnce() {
    for (long seed = 0; seed < 20; seed++) {
      assertThat(drain(this::create, seed))
          .containsExactlyInAnyOrderElementsOf(
              java.util.stream.IntStream.rangeClosed(1, 12).boxed().toList());
    }
  }

  @Test
  void shouldBeDeterministic() {
    for (long seed = 0; seed < 20; seed++) {
      assertThat(drain(this::create, seed)).isEqualTo(drain(this::create, seed));
    }
  }

  @Test
  void shouldNeverEstimateLessWaitThanTheSliceThatHoldsTheDevice() {
    SlicePolicy p = create();
    long now = 1_000 * MS;
    List<PendingSlice> waiting = randomWaiting(new SplittableRandom(3), 5, now);
    waiting.forEach(s -> p.onArrival(s, now));
    PendingSlice newcomer = randomWaiting(new SplittableRandom(4), 1, now).get(0);
    assertThat(p.estimatedWaitNanos(waiting, newcomer, 7 * MS, now)).isGreaterThanOrEqualTo(7 * MS);
    assertThat(p.estimatedWaitNanos(List.of(), newcomer, 0, now)).isZero();
  }

  @Test
  void shouldHaveAName() {
    assertThat(create().name()).isNotBlank();
  }
}
