package dev.kairos.cli;

import dev.kairos.sdk.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Each model's request rate as the gateway counted it, for placement: requests over the last window
 * of at least {@link #WINDOW_NANOS} (0 for a model the gateway has not served, or before the
 * gateway exists). Read when a replica is placed, not sampled in the background.
 */
final class ObservedRates implements ToDoubleFunction<String> {
  static final long WINDOW_NANOS = 30_000_000_000L;

  private final Clock clock;
  private volatile Supplier<Map<String, Long>> totals = Map::of;
  private final Map<String, long[]> marks = new ConcurrentHashMap<>();
  private final Map<String, Double> last = new ConcurrentHashMap<>();

  ObservedRates(Clock clock) {
    this.clock = clock;
  }

  /** Where the counts come from: requests per model since the gateway started. */
  void countFrom(Supplier<Map<String, Long>> totals) {
    this.totals = totals;
  }

  @Override
  public synchronized double applyAsDouble(String model) {
    long now = clock.monotonicNanos();
    long count = totals.get().getOrDefault(model, 0L);
    long[] mark = marks.computeIfAbsent(model, m -> new long[] {now, count});
    long elapsed = now - mark[0];
    if (elapsed >= WINDOW_NANOS || (elapsed > 1_000_000_000L && !last.containsKey(model))) {
      last.put(model, (count - mark[1]) * 1e9 / elapsed);
      mark[0] = now;
      mark[1] = count;
    }
    return last.getOrDefault(model, 0.0);
  }
}
