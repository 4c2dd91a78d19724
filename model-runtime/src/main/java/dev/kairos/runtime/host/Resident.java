package dev.kairos.runtime.host;

/**
 * What eviction knows of one model version in a host's memory.
 *
 * @param key the model version
 * @param bytes its footprint, measured at load (or reserved, while it loads)
 * @param lastUsedNanos monotonic time of its last request (or of its load)
 * @param evictable false while it has requests in flight or is still loading
 */
public record Resident(ModelKey key, long bytes, long lastUsedNanos, boolean evictable) {}
