package dev.kairos.runtime.host;

import java.util.List;

/**
 * What a load did.
 *
 * @param key the model version now loaded
 * @param footprint what it takes, as measured when it was loaded
 * @param loadNanos how long this load took (0 when it was already loaded)
 * @param alreadyLoaded true when the version was already loaded and nothing was done
 * @param evicted the model versions unloaded to make room for it
 * @param capacity the most requests it admits at once (as a replica's ready line says)
 */
public record LoadOutcome(
    ModelKey key,
    Footprint footprint,
    long loadNanos,
    boolean alreadyLoaded,
    List<ModelKey> evicted,
    int capacity) {
  public LoadOutcome {
    evicted = List.copyOf(evicted);
  }
}
