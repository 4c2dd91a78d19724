package dev.kairos.autoscaler.simulator;

/** Latencies in log-spaced buckets (2% apart, from 100 µs to a day): mergeable, fixed size. */
final class LatencyHistogram {
  private static final double MIN = 1e-4;
  private static final double LOG_STEP = Math.log(1.02);
  private static final int BUCKETS = (int) Math.ceil(Math.log(86_400 / MIN) / LOG_STEP) + 2;

  private final long[] counts = new long[BUCKETS];
  private long total;

  void record(double seconds) {
    int b =
        seconds <= MIN ? 0 : Math.min(BUCKETS - 1, 1 + (int) (Math.log(seconds / MIN) / LOG_STEP));
    counts[b]++;
    total++;
  }

  void add(LatencyHistogram other) {
    for (int i = 0; i < BUCKETS; i++) {
      counts[i] += other.counts[i];
    }
    total += other.total;
  }

  long count() {
    return total;
  }

  /** The latency at quantile q (0..1), to within 2%; 0 when empty. */
  double quantile(double q) {
    if (total == 0) {
      return 0;
    }
    long rank = (long) Math.ceil(q * total);
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts[i];
      if (seen >= Math.max(1, rank)) {
        return i == 0 ? MIN : MIN * Math.exp(i * LOG_STEP);
      }
    }
    return MIN * Math.exp(BUCKETS * LOG_STEP);
  }
}
