package dev.kairos.autoscaler.metrics;

import java.time.Duration;

/**
 * Concurrency samples of one target in one-second buckets, averaged over a trailing window. A
 * second without samples counts as zero (an idle model is not an error), and a window reaching back
 * before the first sample is averaged over the seconds since that sample, as Knative does.
 *
 * <p>Not thread-safe: one owner records and reads (the autoscaler loop, or a simulator).
 */
public final class ConcurrencyWindow {
  private static final long SECOND = 1_000_000_000L;

  private double[] sums;
  private int[] counts;
  private long firstBucket = Long.MIN_VALUE;
  private long lastBucket = Long.MIN_VALUE;
  private long lastNonZeroBucket = Long.MIN_VALUE;

  /**
   * @param longestWindow the longest window that will be asked for; the window grows if a longer
   *     one is asked later
   */
  public ConcurrencyWindow(Duration longestWindow) {
    int n = buckets(longestWindow) + 1;
    sums = new double[n];
    counts = new int[n];
  }

  /** Records a concurrency sample (in-flight plus held requests) taken at {@code nowNanos}. */
  public void record(long nowNanos, double concurrency) {
    long b = Math.floorDiv(nowNanos, SECOND);
    if (firstBucket == Long.MIN_VALUE) {
      firstBucket = b;
      lastBucket = b;
      clear(b);
    } else if (b > lastBucket) {
      long from = Math.max(lastBucket + 1, b - sums.length + 1);
      for (long x = from; x <= b; x++) {
        clear(x);
      }
      lastBucket = b;
    } else if (b <= lastBucket - sums.length) {
      return; // older than anything kept
    }
    int i = index(b);
    sums[i] += concurrency;
    counts[i]++;
    if (concurrency != 0) {
      lastNonZeroBucket = Math.max(lastNonZeroBucket, b);
    }
  }

  /**
   * The average concurrency over the window that ends at {@code nowNanos}; 0 when nothing was
   * recorded in it.
   */
  public double average(long nowNanos, Duration window) {
    if (firstBucket == Long.MIN_VALUE) {
      return 0;
    }
    int w = buckets(window);
    ensureCapacity(w);
    long now = Math.floorDiv(nowNanos, SECOND);
    long from = Math.max(now - w + 1, firstBucket);
    if (from > now) {
      return 0;
    }
    double total = 0;
    // Buckets after the last non-zero sample add nothing (a zero leaves the sum as it is), so the
    // walk stops there, and an idle window costs nothing: the simulator asks this every decider
    // tick over windows of minutes, for models idle most of a day. The ring is walked with a
    // wrapping index rather than a division per bucket; the sum is taken in the same order.
    long to = Math.min(Math.min(now, lastBucket), lastNonZeroBucket);
    long first = Math.max(from, lastBucket - sums.length + 1);
    if (to < first) {
      return 0;
    }
    int length = sums.length;
    int i = index(first);
    for (long n = to - first + 1; n > 0; n--) {
      int c = counts[i];
      if (c > 0) {
        total += c == 1 ? sums[i] : sums[i] / c;
      }
      if (++i == length) {
        i = 0;
      }
    }
    return total / (now - from + 1);
  }

  /** Forgets every sample, as for a target that was just registered again. */
  public void reset() {
    firstBucket = Long.MIN_VALUE;
    lastBucket = Long.MIN_VALUE;
    lastNonZeroBucket = Long.MIN_VALUE;
  }

  private void ensureCapacity(int windowBuckets) {
    if (windowBuckets + 1 <= sums.length) {
      return;
    }
    double[] s = new double[windowBuckets + 1];
    int[] c = new int[windowBuckets + 1];
    if (firstBucket != Long.MIN_VALUE) {
      for (long b = Math.max(firstBucket, lastBucket - sums.length + 1); b <= lastBucket; b++) {
        s[(int) Math.floorMod(b, (long) s.length)] = sums[index(b)];
        c[(int) Math.floorMod(b, (long) c.length)] = counts[index(b)];
      }
    }
    sums = s;
    counts = c;
  }

  private void clear(long b) {
    int i = index(b);
    sums[i] = 0;
    counts[i] = 0;
  }

  private int index(long bucket) {
    return (int) Math.floorMod(bucket, (long) sums.length);
  }

  private static int buckets(Duration window) {
    return (int) Math.max(1, (window.toNanos() + SECOND - 1) / SECOND);
  }
}
