package dev.kairos.runtime.host;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which model versions a runtime host unloads: a pure function of what it holds, its budget and the
 * time, like the autoscaler's decider. Only models without requests in flight are ever chosen.
 */
public final class EvictionDecider {
  private EvictionDecider() {}

  /**
   * What to evict so that {@code needed} more bytes fit in {@code budget}: least recently used
   * first, then any chosen model that the others already make room without is spared, so no more is
   * evicted than the load needs. When even evicting every idle model would not make room, nothing
   * is evicted: an eviction that does not let the load in only loses a warm model.
   */
  public static EvictionPlan forSpace(List<Resident> residents, long budget, long needed) {
    if (needed > budget) {
      return EvictionPlan.wontFit(EvictionPlan.Reason.LARGER_THAN_BUDGET);
    }
    long used = residents.stream().mapToLong(Resident::bytes).sum();
    long shortfall = used + needed - budget;
    if (shortfall <= 0) {
      return EvictionPlan.fits(List.of());
    }
    List<Resident> lru =
        residents.stream()
            .filter(Resident::evictable)
            .sorted(Comparator.comparingLong(Resident::lastUsedNanos))
            .toList();
    List<Resident> chosen = new ArrayList<>();
    long freed = 0;
    for (Resident r : lru) {
      if (freed >= shortfall) {
        break;
      }
      chosen.add(r);
      freed += r.bytes();
    }
    if (freed < shortfall) {
      return EvictionPlan.wontFit(EvictionPlan.Reason.IN_USE);
    }
    // Spare the most recently used first: a small old model taken before a large one that alone
    // covers the shortfall stays loaded.
    for (int i = chosen.size() - 1; i >= 0; i--) {
      Resident r = chosen.get(i);
      if (freed - r.bytes() >= shortfall) {
        chosen.remove(i);
        freed -= r.bytes();
      }
    }
    return EvictionPlan.fits(chosen.stream().map(Resident::key).toList());
  }

  /**
   * The models idle for at least {@code idleAfter} at {@code nowNanos}, to unload whatever the
   * space; none when {@code idleAfter} is zero (idle eviction off).
   */
  public static List<ModelKey> idle(List<Resident> residents, long nowNanos, Duration idleAfter) {
    if (idleAfter.isZero()) {
      return List.of();
    }
    long limit = idleAfter.toNanos();
    return residents.stream()
        .filter(Resident::evictable)
        .filter(r -> nowNanos - r.lastUsedNanos() >= limit)
        .sorted(Comparator.comparingLong(Resident::lastUsedNanos))
        .map(Resident::key)
        .toList();
  }
}
