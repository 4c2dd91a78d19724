package dev.kairos.multiplexer.profile;

/**
 * Measured latency of one engine call at one batch size.
 *
 * @param batchSize items per call, >= 1
 * @param p50Nanos median
 * @param p99Nanos 99th percentile, >= the median
 */
public record BatchLatency(int batchSize, long p50Nanos, long p99Nanos) {
  public BatchLatency {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize = " + batchSize + ", must be >= 1");
    }
    if (p50Nanos <= 0 || p99Nanos < p50Nanos) {
      throw new IllegalArgumentException(
          "batch "
              + batchSize
              + ": p50 = "
              + p50Nanos
              + " ns, p99 = "
              + p99Nanos
              + " ns, must be 0 < p50 <= p99");
    }
  }
}
