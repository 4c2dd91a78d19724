package dev.kairos.multiplexer.arbiter;

import java.util.Arrays;

/**
 * What one model got from a device's arbiter: slices granted and rejected since the arbiter
 * started, and how long its recent slices waited for the device.
 *
 * @param model the model
 * @param granted slices granted
 * @param rejected slices rejected (they could not meet their deadline)
 * @param waitP50Nanos median wait from request to grant over the recent slices
 * @param waitP99Nanos 99th percentile of that wait
 */
public record SliceStats(
    String model, long granted, long rejected, long waitP50Nanos, long waitP99Nanos) {

  /** Counts and a window of the most recent waits of one model; owned by its arbiter's lock. */
  static final class Recorder {
    private final String model;
    private final long[] waits;
    private int next;
    private int size;
    private long granted;
    private long rejected;

    Recorder(String model, int window) {
      this.model = model;
      this.waits = new long[window];
    }

    void granted(long waitNanos) {
      granted++;
      waits[next] = Math.max(0, waitNanos);
      next = (next + 1) % waits.length;
      size = Math.min(size + 1, waits.length);
    }

    void rejected() {
      rejected++;
    }

    SliceStats snapshot() {
      long[] sorted = Arrays.copyOf(waits, size);
      Arrays.sort(sorted);
      return new SliceStats(
          model, granted, rejected, quantile(sorted, 0.50), quantile(sorted, 0.99));
    }

    private static long quantile(long[] sorted, double q) {
      if (sorted.length == 0) {
        return 0;
      }
      int i = (int) Math.ceil(q * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
  }
}
