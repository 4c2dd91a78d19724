package dev.kairos.cli;

import dev.kairos.autoscaler.scaler.ReplicaCount;
import dev.kairos.autoscaler.scaler.ScaleTarget;
import dev.kairos.autoscaler.scaler.Scaler;
import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.route.ReplicaSet;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelVersion;
import dev.kairos.sdk.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scales model versions of {@code kairos serve}: a replica is a runtime child process. Ready
 * replicas are those in the gateway's route table; this scaler adds the ones it is starting.
 * Scaling down drains: the replica stops taking new requests, its in-flight requests finish (up to
 * a drain timeout), then its process is stopped.
 */
final class LocalScaler implements Scaler {
  private static final Logger log = LoggerFactory.getLogger(LocalScaler.class);
  private static final long SETTLE_NANOS = 200_000_000L;

  private final LocalPlatform platform;
  private final Clock clock;
  private final ScheduledExecutorService executor;
  private final Duration drainTimeout;
  private final Map<ScaleTarget, List<Starting>> starting = new ConcurrentHashMap<>();

  private static final class Starting {
    final CompletableFuture<Replica> replica;
    volatile boolean cancelled;

    Starting(CompletableFuture<Replica> replica) {
      this.replica = replica;
    }
  }

  LocalScaler(
      LocalPlatform platform,
      Clock clock,
      ScheduledExecutorService executor,
      Duration drainTimeout) {
    this.platform = platform;
    this.clock = clock;
    this.executor = executor;
    this.drainTimeout = drainTimeout;
  }

  @Override
  public synchronized CompletionStage<Void> scale(ScaleTarget target, int replicas) {
    if (replicas < 0) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("replicas = " + replicas + ", must be >= 0"));
    }
    ModelDirectory dir = platform.model(target.model()).orElse(null);
    ModelVersion version = dir == null ? null : dir.version(target.version()).orElse(null);
    if (version == null) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("no model version " + target + " is loaded"));
    }
    List<Starting> pending = pending(target);
    List<Replica> ready = ready(target);
    int have = pending.size() + ready.size();
    for (int i = have; i < replicas; i++) {
      Starting s = new Starting(platform.startReplica(dir, version));
      pending.add(s);
      s.replica.whenComplete((r, err) -> started(target, s, r));
    }
    int excess = have - replicas;
    // cancel replicas still starting first: they serve nobody yet
    for (int i = pending.size() - 1; i >= 0 && excess > 0; i--) {
      pending.get(i).cancelled = true;
      pending.remove(i);
      excess--;
    }
    ready.sort(Comparator.comparingInt(Replica::inFlight));
    for (int i = 0; i < excess; i++) {
      drainThenStop(target, ready.get(i));
    }
    return CompletableFuture.completedFuture(null);
  }

  private synchronized void started(ScaleTarget target, Starting s, Replica r) {
    pending(target).remove(s);
    if (r != null && s.cancelled) {
      drainThenStop(target, r);
    }
  }

  private void drainThenStop(ScaleTarget target, Replica r) {
    r.drain();
    long since = clock.monotonicNanos();
    log.info("model={} version={} draining replica {}", target.model(), target.version(), r.id());
    Runnable[] check = new Runnable[1];
    check[0] =
        () -> {
          long waited = clock.monotonicNanos() - since;
          boolean settled = waited >= SETTLE_NANOS;
          if (settled && (r.inFlight() == 0 || waited >= drainTimeout.toNanos())) {
            if (r.inFlight() > 0) {
              log.warn(
                  "model={} replica {} still has {} requests after {}; stopping it",
                  target.model(),
                  r.id(),
                  r.inFlight(),
                  drainTimeout);
            }
            platform.stopReplica(target.model(), target.version(), r.id(), 5_000);
          } else {
            executor.schedule(check[0], 50, TimeUnit.MILLISECONDS);
          }
        };
    executor.schedule(check[0], 50, TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized ReplicaCount replicas(ScaleTarget target) {
    int ready = ready(target).size();
    return new ReplicaCount(ready + pending(target).size(), ready);
  }

  /** Replicas still starting; a finished start is in the route table (or failed). */
  private List<Starting> pending(ScaleTarget target) {
    List<Starting> list = starting.computeIfAbsent(target, t -> new ArrayList<>());
    list.removeIf(s -> s.replica.isDone());
    return list;
  }

  /** Replicas of the target that take traffic (not draining). */
  private List<Replica> ready(ScaleTarget target) {
    ModelRoute route = platform.routes().find(target.model());
    ReplicaSet set = route == null ? null : route.existingVersion(target.version());
    List<Replica> out = new ArrayList<>();
    if (set != null) {
      for (Replica r : set.all()) {
        if (!r.draining()) {
          out.add(r);
        }
      }
    }
    return out;
  }
}
