package dev.kairos.runtime.host;

import dev.kairos.runtime.core.InferenceService;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One model version loaded in a host: its own runtime ({@link InferenceService}: signature check,
 * batcher, engine session, threads, metrics), what it measured at load, and when it was last used.
 */
final class HostedModel {
  private final ModelKey key;
  private final InferenceService service;
  private final Path artifact;
  private final Footprint footprint;
  private final AtomicLong lastUsedNanos;

  HostedModel(
      ModelKey key, InferenceService service, Path artifact, Footprint footprint, long nowNanos) {
    this.key = key;
    this.service = service;
    this.artifact = artifact;
    this.footprint = footprint;
    this.lastUsedNanos = new AtomicLong(nowNanos);
  }

  ModelKey key() {
    return key;
  }

  InferenceService service() {
    return service;
  }

  Path artifact() {
    return artifact;
  }

  Footprint footprint() {
    return footprint;
  }

  long lastUsedNanos() {
    return lastUsedNanos.get();
  }

  void touch(long nowNanos) {
    lastUsedNanos.accumulateAndGet(nowNanos, Math::max);
  }

  Resident resident() {
    return new Resident(
        key, footprint.bytes(), lastUsedNanos(), service.admitted() == 0 && !service.retired());
  }
}
