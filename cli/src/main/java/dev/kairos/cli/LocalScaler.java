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
 *
 * <p>It also supervises: a replica that exits on its own (crash, kill), drains because it was sent
 * SIGTERM from outside, or hangs (its {@link LivenessProbe} gives up on it) is replaced after a
 * back-off that doubles with each exit in a row (0.5 s up to 30 s) and starts over once a replica
 * has lived a minute. A replacement counts as starting, so the autoscaler does not start another
 * for the same gap.
 */
final class LocalScaler implements Scaler {
  private static final Logger log = LoggerFactory.getLogger(LocalScaler.class);
  private static final long SETTLE_NANOS = 200_000_000L;
  private static final long FIRST_BACKOFF_NANOS = 500_000_000L;
  private static final long MAX_BACKOFF_NANOS = 30_000_000_000L;
  private static final long STABLE_NANOS = 60_000_000_000L;

  private final LocalPlatform platform;
  private final Clock clock;
  private final ScheduledExecutorService executor;
  private final Duration drainTimeout;
  private final Map<ScaleTarget, List<Starting>> starting = new ConcurrentHashMap<>();
  private final Map<ScaleTarget, Exits> exits = new ConcurrentHashMap<>();
  private final Map<String, Long> readySince = new ConcurrentHashMap<>();

  /** Replicas of a target that exited on their own, for back-off and the admin API. */
  private static final class Exits {
    int total;
    int inARow;
    String last;
    long lastAtNanos;
    long lastAtWallMillis;
    long nextRestartAtNanos;
  }

  /**
   * What the supervisor knows of a model version.
   *
   * @param restarts replicas replaced after exiting on their own, since serve started
   * @param lastExit which replica left last and why (exited, sent SIGTERM, hung), or null
   * @param lastExitAt when it left (ISO-8601, UTC), or null
   * @param restartInMillis time until the pending replacement starts (0: starting or none)
   * @param replicaSeconds how long its replica processes have existed since serve started
   */
  record Supervision(
      int ready,
      int starting,
      int restarts,
      String lastExit,
      String lastExitAt,
      long restartInMillis,
      double replicaSeconds) {}

  private static final class Starting {
    final CompletableFuture<Replica> replica = new CompletableFuture<>();

    /**
     * The replica's id once its process exists; it may be routed before {@link #replica} completes.
     */
    volatile String id;

    volatile boolean cancelled;
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
    platform.onUnexpectedExit(this::replicaLeft);
  }

  /** Replaces a replica that exited on its own, after a back-off. */
  synchronized void replicaLeft(String model, String version, String replicaId, String how) {
    ScaleTarget target = new ScaleTarget(model, version);
    long now = clock.monotonicNanos();
    Long since = replicaId == null ? null : readySince.remove(replicaId);
    Exits e = exits.computeIfAbsent(target, t -> new Exits());
    boolean lived = since != null && now - since >= STABLE_NANOS;
    e.inARow = lived ? 1 : e.inARow + 1;
    e.total++;
    e.last = (replicaId == null ? "replacement" : replicaId.replace('#', ' ')) + " " + how;
    e.lastAtNanos = now;
    e.lastAtWallMillis = clock.wallMillis();
    long backoff = Math.min(MAX_BACKOFF_NANOS, FIRST_BACKOFF_NANOS << Math.min(6, e.inARow - 1));
    e.nextRestartAtNanos = now + backoff;
    ModelDirectory dir = platform.model(model).orElse(null);
    ModelVersion v = dir == null ? null : dir.version(version).orElse(null);
    if (v == null) {
      return; // unloaded meanwhile
    }
    log.warn(
        "model={} version={} {}; replacing it in {} ms",
        model,
        version,
        e.last,
        backoff / 1_000_000);
    Starting s = new Starting();
    CompletableFuture<Replica> replacement = s.replica;
    pending(target).add(s);
    s.replica.whenComplete((r, err) -> started(target, s, r));
    executor.schedule(
        () -> {
          if (s.cancelled) {
            replacement.complete(null);
            return;
          }
          platform
              .startReplica(dir, v, id -> s.id = id)
              .whenComplete(
                  (r, err) -> {
                    if (err != null) {
                      replacement.complete(null);
                      replicaLeft(model, version, null, "failed to start");
                    } else {
                      replacement.complete(r);
                    }
                  });
        },
        backoff,
        TimeUnit.NANOSECONDS);
  }

  /** The supervisor's view of a model version. */
  synchronized Supervision supervision(ScaleTarget target) {
    Exits e = exits.get(target);
    long now = clock.monotonicNanos();
    return new Supervision(
        ready(target).size(),
        pending(target).size(),
        e == null ? 0 : e.total,
        e == null ? null : e.last,
        e == null ? null : java.time.Instant.ofEpochMilli(e.lastAtWallMillis).toString(),
        e == null ? 0 : Math.max(0, (e.nextRestartAtNanos - now) / 1_000_000),
        platform.replicaSeconds(target.model(), target.version()));
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
      Starting s = new Starting();
      pending.add(s);
      s.replica.whenComplete((r, err) -> started(target, s, r));
      platform
          .startReplica(dir, version, id -> s.id = id)
          .whenComplete(
              (r, err) -> {
                if (err != null) {
                  s.replica.completeExceptionally(err);
                } else {
                  s.replica.complete(r);
                }
              });
    }
    int excess = have - replicas;
    // cancel replicas still starting first: they serve nobody yet
    for (int i = pending.size() - 1; i >= 0 && excess > 0; i--) {
      pending.get(i).cancelled = true;
      pending.remove(i);
      excess--;
    }
    if (excess > 0) {
      // placement decides which go: those on a device it no longer puts the model on, then the
      // idlest
      java.util.Set<String> misplaced = new java.util.HashSet<>();
      for (Replica r : ready) {
        if (platform.misplaced(target.model(), r.id())) {
          misplaced.add(r.id());
        }
      }
      ready.sort(
          Comparator.comparing((Replica r) -> !misplaced.contains(r.id()))
              .thenComparingInt(Replica::inFlight));
    }
    for (int i = 0; i < excess; i++) {
      drainThenStop(target, ready.get(i));
    }
    return CompletableFuture.completedFuture(null);
  }

  private synchronized void started(ScaleTarget target, Starting s, Replica r) {
    pending(target).remove(s);
    if (r != null) {
      readySince.put(r.id(), clock.monotonicNanos());
    }
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

  /**
   * Replicas of the target that take traffic (not draining), less those whose start has not
   * completed yet: {@link #pending} counts them.
   */
  private List<Replica> ready(ScaleTarget target) {
    ModelRoute route = platform.routes().find(target.model());
    ReplicaSet set = route == null ? null : route.existingVersion(target.version());
    List<Replica> out = new ArrayList<>();
    if (set != null) {
      java.util.Set<String> starting = new java.util.HashSet<>();
      for (Starting s : pending(target)) {
        if (s.id != null) {
          starting.add(s.id);
        }
      }
      for (Replica r : set.all()) {
        if (!r.draining() && !starting.contains(r.id())) {
          out.add(r);
        }
      }
    }
    return out;
  }
}
