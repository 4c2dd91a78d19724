package dev.kairos.multiplexer.arbiter.policy;

import java.util.List;

/** First come, first served: the naive baseline that knows nothing of latency. */
public final class FifoPolicy implements SlicePolicy {
  @Override
  public String name() {
    return "fifo";
  }

  @Override
  public int choose(List<PendingSlice> waiting, long nowNanos) {
    return 0;
  }

  @Override
  public long estimatedWaitNanos(
      List<PendingSlice> waiting, PendingSlice newcomer, long busyRemainingNanos, long nowNanos) {
    long wait = busyRemainingNanos;
    for (PendingSlice p : waiting) {
      wait += p.estimatedNanos();
    }
    return wait;
  }
}
