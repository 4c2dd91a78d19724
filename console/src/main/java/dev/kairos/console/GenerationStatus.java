package dev.kairos.console;

/**
 * A text-generation model's engine, summed over its replicas, as its replicas' {@code
 * kairos_generate_*} meters report it (counters and histograms since each replica started).
 *
 * @param replicas replicas whose meters were read
 * @param running sequences in the running batches
 * @param waiting sequences waiting for admission
 * @param kvBlocksUsed KV-cache blocks held by sequences
 * @param kvBlocksFree KV-cache blocks free (cached prefixes included)
 * @param promptTokens prompt tokens computed (prefix-cache hits excluded)
 * @param outputTokens tokens generated
 * @param preemptions sequences preempted for KV memory
 * @param prefixHitRate share of full prompt blocks found in the prefix cache (NaN before any)
 * @param ttft time to first token
 * @param tpot time per output token
 * @param e2e end-to-end latency of finished generations
 */
public record GenerationStatus(
    int replicas,
    double running,
    double waiting,
    double kvBlocksUsed,
    double kvBlocksFree,
    double promptTokens,
    double outputTokens,
    double preemptions,
    double prefixHitRate,
    Latency ttft,
    Latency tpot,
    Latency e2e) {

  /**
   * A latency histogram read back: count, mean, and quantiles as the upper bound of the bucket that
   * holds them (NaN without observations; infinite when past the last bound).
   */
  public record Latency(long count, double meanSeconds, double p50Seconds, double p99Seconds) {}
}
