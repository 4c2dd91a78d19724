package dev.kairos.multiplexer.arbiter.policy;

import java.util.List;

/**
 * Light first, earliest deadline next, and nobody starves.
 *
 * <ul>
 *   <li>A higher {@link PendingSlice#priority()} is granted first; among equals, the earlier
 *       deadline, then the earlier arrival.
 *   <li>Slices below {@code lightPriority} (heavy batches) are told a slice cap, so that a light
 *       request that arrives while one runs waits at most one capped slice. The cap applies only
 *       while light models are active on the device (one asked within the starvation period): a
 *       heavy model alone keeps its large, efficient batches.
 *   <li>A slice that has waited {@code starvationNanos} or more goes first, whatever its priority:
 *       under a flood of light requests, heavy batches still run at least once per that period.
 * </ul>
 */
public final class DeadlineAwarePolicy implements SlicePolicy {
  private final int lightPriority;
  private final long heavySliceCapNanos;
  private final long starvationNanos;
  private long lastLightArrival = Long.MIN_VALUE;

  /**
   * @param lightPriority slices at or above this priority are light (latency-sensitive)
   * @param heavySliceCapNanos the longest slice a heavy batch is granted for, > 0
   * @param starvationNanos a slice waiting this long is granted next, > 0
   */
  public DeadlineAwarePolicy(int lightPriority, long heavySliceCapNanos, long starvationNanos) {
    if (heavySliceCapNanos <= 0) {
      throw new IllegalArgumentException(
          "heavySliceCapNanos = " + heavySliceCapNanos + ", must be > 0");
    }
    if (starvationNanos <= 0) {
      throw new IllegalArgumentException("starvationNanos = " + starvationNanos + ", must be > 0");
    }
    this.lightPriority = lightPriority;
    this.heavySliceCapNanos = heavySliceCapNanos;
    this.starvationNanos = starvationNanos;
  }

  @Override
  public String name() {
    return "deadline";
  }

  @Override
  public void onArrival(PendingSlice slice, long nowNanos) {
    if (slice.priority() >= lightPriority) {
      lastLightArrival = nowNanos;
    }
  }

  @Override
  public int choose(List<PendingSlice> waiting, long nowNanos) {
    // Waiting is in arrival order, so the first starved slice is the oldest one.
    for (int i = 0; i < waiting.size(); i++) {
      if (nowNanos - waiting.get(i).arrivalNanos() >= starvationNanos) {
        return i;
      }
    }
    int best = 0;
    for (int i = 1; i < waiting.size(); i++) {
      if (before(waiting.get(i), waiting.get(best))) {
        best = i;
      }
    }
    return best;
  }

  /** Whether {@code a} goes before {@code b}; arrival order breaks ties (the list is in it). */
  private static boolean before(PendingSlice a, PendingSlice b) {
    if (a.priority() != b.priority()) {
      return a.priority() > b.priority();
    }
    return a.deadlineNanos() < b.deadlineNanos();
  }

  @Override
  public long estimatedWaitNanos(
      List<PendingSlice> waiting, PendingSlice newcomer, long busyRemainingNanos, long nowNanos) {
    long wait = busyRemainingNanos;
    for (PendingSlice p : waiting) {
      boolean starved = nowNanos - p.arrivalNanos() >= starvationNanos;
      if (starved || !before(newcomer, p)) {
        wait += Math.min(p.estimatedNanos(), capFor(p, nowNanos));
      }
    }
    return wait;
  }

  /** A light slice may suspend a heavy one where the device can preempt. */
  @Override
  public boolean preempts(PendingSlice newcomer, PendingSlice holder) {
    return newcomer.priority() >= lightPriority && holder.priority() < lightPriority;
  }

  @Override
  public long sliceCapNanos(PendingSlice granted, long nowNanos) {
    return capFor(granted, nowNanos);
  }

  private long capFor(PendingSlice p, long nowNanos) {
    boolean lightActive =
        lastLightArrival != Long.MIN_VALUE && nowNanos - lastLightArrival < starvationNanos;
    return p.priority() >= lightPriority || !lightActive ? Long.MAX_VALUE : heavySliceCapNanos;
  }
}
