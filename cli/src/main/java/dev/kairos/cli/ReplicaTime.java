package dev.kairos.cli;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Replica-seconds per model version: how long its replica processes have existed, each from the
 * moment it was asked for (a fork, or a standby taken from the warm pool) until it was stopped or
 * exited. What a replay of the autoscaler predicts, measured on the platform itself.
 */
final class ReplicaTime {
  private final LongSupplier nanoTime;
  private final Map<String, Run> running = new HashMap<>();
  private final Map<String, Long> endedNanos = new HashMap<>();

  private record Run(String target, long sinceNanos) {}

  ReplicaTime(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /** Replica {@code id} of {@code model} version {@code version} exists from now on. */
  synchronized void started(String id, String model, String version) {
    running.putIfAbsent(id, new Run(key(model, version), nanoTime.getAsLong()));
  }

  /** Replica {@code id} is gone (stopped, failed to start, or exited); a second call is ignored. */
  synchronized void ended(String id) {
    Run r = running.remove(id);
    if (r != null) {
      endedNanos.merge(r.target(), nanoTime.getAsLong() - r.sinceNanos(), Long::sum);
    }
  }

  /** Replica-seconds of a model version so far, its running replicas included. */
  synchronized double seconds(String model, String version) {
    String k = key(model, version);
    long now = nanoTime.getAsLong();
    long total = endedNanos.getOrDefault(k, 0L);
    for (Run r : running.values()) {
      if (r.target().equals(k)) {
        total += now - r.sinceNanos();
      }
    }
    return total / 1e9;
  }

  private static String key(String model, String version) {
    return model + "\u0000" + version;
  }
}
