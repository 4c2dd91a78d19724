package dev.kairos.runtime.core;

/**
 * The replica's threads.
 *
 * @param computeThreads batches that run on the engine at once
 * @param codecThreads threads that decode requests and encode responses, off the event loop
 */
public record WorkerConfig(int computeThreads, int codecThreads) {
  public WorkerConfig {
    if (computeThreads < 1) {
      throw new IllegalArgumentException("computeThreads = " + computeThreads + ", must be >= 1");
    }
    if (codecThreads < 1) {
      throw new IllegalArgumentException("codecThreads = " + codecThreads + ", must be >= 1");
    }
  }
}
