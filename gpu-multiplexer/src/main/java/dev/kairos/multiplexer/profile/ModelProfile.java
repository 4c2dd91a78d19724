package dev.kairos.multiplexer.profile;

import java.util.Comparator;
import java.util.List;

/**
 * What a model costs on one kind of device, measured by the profiler (or taken from published
 * figures for devices this machine lacks). Placement and the simulator read it.
 *
 * @param model the model's name
 * @param device where it was measured, e.g. {@code cpu:2} or {@code V100}
 * @param latencies per batch size, sorted by batch size, at least one
 * @param memoryBytes resident memory of the loaded model
 * @param loadNanos time to load it
 * @param source how the figures were obtained, e.g. {@code measured} or a citation
 */
public record ModelProfile(
    String model,
    String device,
    List<BatchLatency> latencies,
    long memoryBytes,
    long loadNanos,
    String source) {
  public ModelProfile {
    if (latencies.isEmpty()) {
      throw new IllegalArgumentException("profile of '" + model + "' has no latencies");
    }
    latencies =
        latencies.stream().sorted(Comparator.comparingInt(BatchLatency::batchSize)).toList();
    if (memoryBytes < 0) {
      throw new IllegalArgumentException(
          "profile of '" + model + "': memoryBytes = " + memoryBytes + ", must be >= 0");
    }
  }

  public int maxBatchSize() {
    return latencies.get(latencies.size() - 1).batchSize();
  }

  /** Median latency at {@code batch}, interpolated linearly between measured sizes. */
  public long p50Nanos(int batch) {
    return interpolate(batch, true);
  }

  /** 99th-percentile latency at {@code batch}, interpolated linearly between measured sizes. */
  public long p99Nanos(int batch) {
    return interpolate(batch, false);
  }

  /** The largest measured-or-interpolated batch whose p99 fits {@code budgetNanos}; at least 1. */
  public int largestBatchWithin(long budgetNanos) {
    int best = 1;
    for (int b = 1; b <= maxBatchSize(); b++) {
      if (p99Nanos(b) <= budgetNanos) {
        best = b;
      }
    }
    return best;
  }

  /** Device time per item at {@code batch}, from the median. */
  public double nanosPerItem(int batch) {
    return p50Nanos(batch) / (double) batch;
  }

  private long interpolate(int batch, boolean median) {
    BatchLatency lo = latencies.get(0);
    if (batch <= lo.batchSize()) {
      return pick(lo, median);
    }
    for (BatchLatency hi : latencies) {
      if (hi.batchSize() == batch) {
        return pick(hi, median);
      }
      if (hi.batchSize() > batch) {
        double f = (batch - lo.batchSize()) / (double) (hi.batchSize() - lo.batchSize());
        return Math.round(pick(lo, median) + f * (pick(hi, median) - pick(lo, median)));
      }
      lo = hi;
    }
    // beyond the largest measured batch: per-item cost of the largest
    return Math.round(pick(lo, median) * (batch / (double) lo.batchSize()));
  }

  private static long pick(BatchLatency l, boolean median) {
    return median ? l.p50Nanos() : l.p99Nanos();
  }
}
