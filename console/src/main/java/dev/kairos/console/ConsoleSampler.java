package dev.kairos.console;

import dev.kairos.gateway.metrics.ModelTotals;
import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.sdk.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Feeds the {@link MetricsRing} from the platform's own meters: at each {@link #sample()} (once a
 * second in {@code kairos serve}), the gateway's counters become a request rate, an error rate and
 * latency quantiles by difference with earlier samples, next to the gateway's in-flight requests
 * and the autoscaler's concurrency and replicas. Time comes from the injected clock.
 */
public final class ConsoleSampler {
  /**
   * Latency quantiles are computed over this many samples back, so they are not one-second noise.
   */
  private static final int LATENCY_SPAN = 5;

  private final Clock clock;
  private final MetricsRing ring;
  private final Supplier<SortedMap<String, ModelTotals>> totals;
  private final RouteTable routes;
  private final ScalingView scaling;
  private final Deque<Snapshot> history = new ArrayDeque<>();

  private record Snapshot(long atNanos, SortedMap<String, ModelTotals> totals) {}

  public ConsoleSampler(
      Clock clock,
      MetricsRing ring,
      Supplier<SortedMap<String, ModelTotals>> totals,
      RouteTable routes,
      ScalingView scaling) {
    this.clock = clock;
    this.ring = ring;
    this.totals = totals;
    this.routes = routes;
    this.scaling = scaling;
  }

  /** Takes one sample of every model the gateway routes or has answered for. */
  public synchronized void sample() {
    long nowNanos = clock.monotonicNanos();
    long nowMillis = clock.wallMillis();
    Snapshot now = new Snapshot(nowNanos, totals.get());
    Snapshot previous = history.peekLast();
    Snapshot older = history.size() >= LATENCY_SPAN ? history.peekFirst() : previous;
    history.addLast(now);
    while (history.size() > LATENCY_SPAN) {
      history.removeFirst();
    }
    Map<String, ScalingView.ModelScaling> scales = scaling.scaling();
    Set<String> models = new TreeSet<>(now.totals().keySet());
    for (ModelRoute r : routes.all()) {
      models.add(r.name());
    }
    models.addAll(scales.keySet());
    models.remove("");
    for (String m : models) {
      ModelTotals cur = now.totals().get(m);
      ModelTotals prev = previous == null ? null : previous.totals().get(m);
      long requests = delta(cur, prev, ModelTotals::requests);
      long errors = delta(cur, prev, ModelTotals::errors);
      double seconds = previous == null ? 1 : Math.max(1e-3, (nowNanos - previous.atNanos()) / 1e9);
      if (previous != null && requests > 0) {
        ring.recordArrivals(m, Math.floorDiv(nowMillis, 1000L) - 1, (int) requests);
      }
      ModelTotals old = older == null ? null : older.totals().get(m);
      long[] window = bucketDelta(cur, old);
      double[] bounds = cur == null ? new double[0] : cur.latencyUpperBounds();
      ModelRoute route = routes.find(m);
      ScalingView.ModelScaling s = scales.get(m);
      ring.record(
          m,
          new ModelSample(
              nowMillis,
              previous == null ? 0 : requests / seconds,
              quantileMs(bounds, window, 0.50),
              quantileMs(bounds, window, 0.99),
              requests == 0 ? 0 : (double) errors / requests,
              route == null ? 0 : route.inFlight(),
              s == null ? (route == null ? 0 : route.inFlight()) : s.concurrency(),
              s == null ? 0 : s.desired(),
              s == null ? 0 : s.ready(),
              s == null ? Double.NaN : s.target()));
    }
  }

  private static long delta(
      ModelTotals cur, ModelTotals prev, java.util.function.ToLongFunction<ModelTotals> f) {
    if (cur == null) {
      return 0;
    }
    return Math.max(0, f.applyAsLong(cur) - (prev == null ? 0 : f.applyAsLong(prev)));
  }

  private static long[] bucketDelta(ModelTotals cur, ModelTotals old) {
    if (cur == null) {
      return new long[0];
    }
    long[] out = cur.latencyCounts().clone();
    if (old != null && old.latencyCounts().length == out.length) {
      for (int i = 0; i < out.length; i++) {
        out[i] = Math.max(0, out[i] - old.latencyCounts()[i]);
      }
    }
    return out;
  }

  /**
   * The {@code q} quantile in milliseconds of a histogram (per-bucket counts), interpolated inside
   * its bucket; NaN when empty. The open last bucket reads as its lower bound.
   */
  static double quantileMs(double[] upperBounds, long[] counts, double q) {
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    if (total == 0) {
      return Double.NaN;
    }
    double rank = q * total;
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] > 0 && seen + counts[i] >= rank) {
        double lower = i == 0 ? 0 : upperBounds[i - 1];
        double upper = upperBounds[i];
        if (Double.isInfinite(upper)) {
          return lower * 1000;
        }
        double f = (rank - seen) / counts[i];
        return (lower + f * (upper - lower)) * 1000;
      }
      seen += counts[i];
    }
    return upperBounds[upperBounds.length - 1] * 1000;
  }
}
