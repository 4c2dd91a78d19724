package dev.kairos.cli;

import dev.kairos.cli.deploy.AtomicFiles;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelVersion;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared runtime hosts of {@code kairos serve} and the replicas loaded into them. A replica of
 * a shareable model is a load into the host that holds the fewest models and not this one yet (so a
 * hot model spreads over several hosts); a host that answers 503 (no room beside busy models) is
 * passed over for the next, and when all do the load is tried again shortly. A 507 (larger than a
 * host's whole budget), 409 (the host refuses to share it) or a failed load is the caller's to
 * handle, as is "every host holds it already".
 *
 * <p>Where placement splits the cores into several devices (core sets), the hosts are spread over
 * them, each pinned to its own; a load that placement puts on a device goes to a host there (to any
 * host when that device has none serving).
 *
 * <p>What a host does on its own is reported to a {@link Listener}: models it evicted to make room
 * (a replica gone) and, when its process dies, every replica it held (a replica lost, to be
 * replaced). A host that dies is replaced by a new one.
 */
final class SharedHosts implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SharedHosts.class);
  private static final long BUSY_RETRY_MILLIS = 200;
  private static final int BUSY_RETRIES = 25;
  private static final long WARM_UP_SECONDS = 60;

  /** Load, answer and unload cycles of each host's warm-up. */
  static final int WARM_UP_ROUNDS = 25;

  /** Replicas that went without the platform asking. */
  interface Listener {
    /** The host unloaded this replica's model to make room for another. */
    void evicted(String model, String version, String replicaId);

    /** The replica's host died. */
    void lost(String model, String version, String replicaId, String why);
  }

  /** A replica in a host. */
  record Placed(String id, RuntimeHost host, RuntimeHost.Key key, RuntimeHost.Loaded loaded) {}

  /** No host can take one more replica of this model: every one holds it already. */
  static final class NoHostLeft extends RuntimeException {
    NoHostLeft(String message) {
      super(message, null, false, false);
    }
  }

  private final ReplicaCommand command;
  private final List<ReplicaSite> devices;
  private final long budgetBytes;
  private final int maxLoads;
  private final Path trustedPredictors;
  private final PrintStream console;
  private final Executor delayed;
  private final List<RuntimeHost> hosts = new CopyOnWriteArrayList<>();
  private final Map<String, Placed> replicas = new ConcurrentHashMap<>();
  private final AtomicInteger numbers = new AtomicInteger();
  private final AtomicInteger failedInARow = new AtomicInteger();
  private volatile Listener listener;
  private volatile CompletableFuture<Void> nextReady = new CompletableFuture<>();
  private volatile boolean closing;

  /**
   * @param trustedPredictors the file listing the Java predictor jars the hosts may share (read
   *     again as it changes), or null for none
   */
  SharedHosts(
      ReplicaCommand command,
      long budgetBytes,
      int maxLoads,
      Path trustedPredictors,
      PrintStream console) {
    this(command, List.of(), budgetBytes, maxLoads, trustedPredictors, console);
  }

  /**
   * @param devices the CPU devices the hosts are spread over in turn, each host pinned to its
   *     device's cores; empty: hosts are not placed (every host may run on every core)
   * @param trustedPredictors the file listing the Java predictor jars the hosts may share (read
   *     again as it changes), or null for none
   */
  SharedHosts(
      ReplicaCommand command,
      List<ReplicaSite> devices,
      long budgetBytes,
      int maxLoads,
      Path trustedPredictors,
      PrintStream console) {
    this.command = command;
    this.devices = List.copyOf(devices);
    this.budgetBytes = budgetBytes;
    this.maxLoads = maxLoads;
    this.trustedPredictors = trustedPredictors;
    this.console = console;
    this.delayed = CompletableFuture.delayedExecutor(BUSY_RETRY_MILLIS, TimeUnit.MILLISECONDS);
  }

  void onReplicaGone(Listener l) {
    this.listener = l;
  }

  long budgetBytes() {
    return budgetBytes;
  }

  /** Loads at once over all hosts. */
  int loadSlots(int hostCount) {
    return hostCount * maxLoads;
  }

  /**
   * Starts {@code count} hosts; completes once all listen and have been warmed up, with how many
   * warmed up (or fails with the first reason a host did not start).
   */
  CompletableFuture<Integer> start(int count) {
    return start(count, WARM_UP_ROUNDS);
  }

  /**
   * As {@link #start(int)}, with {@code warmUpRounds} warm-up rounds per host ({@link
   * #warmUp(List)}); 0 starts the hosts cold.
   */
  CompletableFuture<Integer> start(int count, int warmUpRounds) {
    if (warmUpRounds < 0) {
      throw new IllegalArgumentException("warm-up rounds = " + warmUpRounds + ", must be >= 0");
    }
    List<CompletableFuture<?>> ready = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      RuntimeHost h = startHost(devices.isEmpty() ? null : devices.get(i % devices.size()));
      ready.add(h.ready().thenCompose(r -> h.index()));
    }
    return CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new))
        .thenCompose(
            x ->
                warmUpRounds == 0
                    ? CompletableFuture.completedFuture(0)
                    : warmUp(hosts(), warmUpRounds));
  }

  /**
   * Sends a request for the platform's own tiny model, at zero, through a gateway of serve's own
   * ({@link GatewayWarmUp}) to every host, {@value #WARM_UP_ROUNDS} times: held by the gateway's
   * activator, loaded into the host, forwarded and answered, then unloaded, as a user's model at
   * zero would go. The first loads, requests and unloads of a serve (the gateway's path, serve's
   * side of the loads and the host's) are slower than all later ones by the JIT and class loading
   * they pay, and this way a user's first requests do not pay them. One round loads the classes;
   * the JIT compiles a method only once it has run many times, and a storm of cold starts on a
   * fresh serve otherwise spends much of its CPU compiling the load and request paths while it runs
   * them. The warm-up gateway has its own route table and metrics: nothing of it shows in serve's.
   * A host that fails its warm-up still serves.
   *
   * @return completes with how many hosts warmed up
   */
  CompletableFuture<Integer> warmUp(List<RuntimeHost> targets) {
    return warmUp(targets, WARM_UP_ROUNDS);
  }

  CompletableFuture<Integer> warmUp(List<RuntimeHost> targets, int rounds) {
    Path folder;
    Path model;
    try {
      folder = Files.createTempDirectory("kairos-warm-up-");
      model = dev.kairos.runtime.WarmUpModel.writeTo(folder);
    } catch (IOException e) {
      log.warn("no warm-up of the runtime hosts: {}", e.toString());
      return CompletableFuture.completedFuture(0);
    }
    String name = dev.kairos.runtime.WarmUpModel.NAME;
    String request = dev.kairos.runtime.WarmUpModel.requestJson();
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx(ServeCommand.vertxOptions());
    AtomicInteger warmed = new AtomicInteger();
    List<CompletableFuture<?>> done = new ArrayList<>();
    for (RuntimeHost h : targets) {
      long t0 = System.nanoTime();
      GatewayWarmUp gateway;
      try {
        gateway = GatewayWarmUp.start(vertx, h, model, name, command.token());
      } catch (RuntimeException e) {
        log.warn("{}: no warm-up: {}", h, e.toString());
        continue;
      }
      CompletableFuture<?> cycles = CompletableFuture.completedFuture(null);
      for (int i = 0; i < rounds; i++) {
        cycles = cycles.thenCompose(x -> gateway.round(request));
      }
      done.add(
          cycles
              // a host that cannot warm up in this time does not hold serve's start any longer
              .orTimeout(WARM_UP_SECONDS, TimeUnit.SECONDS)
              .handle(
                  (x, e) -> {
                    gateway.close();
                    if (e != null) {
                      log.warn("{}: warm-up failed: {}", h, e.toString());
                    } else {
                      warmed.incrementAndGet();
                      log.info(
                          "{}: warmed up in {} ms ({} rounds)",
                          h,
                          (System.nanoTime() - t0) / 1_000_000,
                          rounds);
                    }
                    return null;
                  }));
    }
    return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new))
        .whenComplete(
            (x, e) -> {
              vertx.close();
              try {
                AtomicFiles.deleteTree(folder);
              } catch (java.io.UncheckedIOException ex) {
                log.debug("warm-up folder {} left behind: {}", folder, ex.toString());
              }
            })
        .thenApply(x -> warmed.get());
  }

  /** Starts a host on {@code site} (its device and cores), or unplaced when null. */
  private RuntimeHost startHost(ReplicaSite site) {
    RuntimeHost h;
    try {
      h =
          RuntimeHost.start(
              site == null ? command : command.placedAt(site),
              numbers.incrementAndGet(),
              site == null ? "" : site.device(),
              budgetBytes,
              maxLoads,
              trustedPredictors);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot start a runtime host", e);
    }
    hosts.add(h);
    h.ready()
        .whenComplete(
            (r, e) -> {
              if (e == null) {
                console.printf(
                    java.util.Locale.ROOT,
                    "  runtime host %d: ready (pid %d on 127.0.0.1:%d, budget %s%s)%n",
                    h.number(),
                    h.pid(),
                    r.port(),
                    MemoryAdmission.mib(budgetBytes),
                    site == null ? "" : ", on " + site.device() + " cores " + site.cpuList());
                CompletableFuture<Void> was = nextReady;
                nextReady = new CompletableFuture<>();
                was.complete(null);
              }
            });
    h.process().exited().thenAccept(status -> exited(h, status));
    return h;
  }

  /** A host died: its replicas are lost, and a new host takes its place. */
  private void exited(RuntimeHost h, int status) {
    hosts.remove(h);
    if (closing) {
      return;
    }
    String why = "its runtime host " + h.number() + " exited (status " + status + ")";
    console.println("  runtime host " + h.number() + ": exited (status " + status + ")");
    Listener l = listener;
    for (Placed p : List.copyOf(replicas.values())) {
      if (p.host() == h && replicas.remove(p.id()) != null && l != null) {
        l.lost(p.key().model(), p.key().version(), p.id(), why);
      }
    }
    // A host that died before it was ready (bad options, no memory) would die again at once:
    // its replacement waits, longer each time in a row, so serve does not fork JVMs in a loop.
    boolean served = h.ready().isDone() && !h.ready().isCompletedExceptionally();
    int inARow = served ? 0 : failedInARow.incrementAndGet();
    if (served) {
      failedInARow.set(0);
    }
    long delay = inARow == 0 ? 0 : Math.min(30_000L, 500L << Math.min(6, inARow - 1));
    CompletableFuture.runAsync(
        () -> {
          if (closing) {
            return;
          }
          try {
            startHost(siteOf(h));
          } catch (RuntimeException e) {
            log.error("cannot replace runtime host {}: {}", h.number(), e.toString());
          }
        },
        CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS));
  }

  /** The site a dead host was started on, for its replacement. */
  private ReplicaSite siteOf(RuntimeHost h) {
    return devices.stream().filter(d -> d.device().equals(h.device())).findFirst().orElse(null);
  }

  /** As {@link #load(ModelDirectory, ModelVersion, String)}, on any host. */
  CompletableFuture<Placed> load(ModelDirectory dir, ModelVersion v) {
    return load(dir, v, null);
  }

  /**
   * Loads a replica of a model version into a host on {@code device} (any host when null, or when
   * no host there serves).
   *
   * @return completes with the replica, or fails with {@link RuntimeHost.Refused} (the host's
   *     status and reason) or {@link NoHostLeft}
   */
  CompletableFuture<Placed> load(ModelDirectory dir, ModelVersion v, String device) {
    return attempt(dir, v, device, BUSY_RETRIES);
  }

  private CompletableFuture<Placed> attempt(
      ModelDirectory dir, ModelVersion v, String device, int retries) {
    RuntimeHost.Key key = new RuntimeHost.Key(dir.name(), v.version());
    List<RuntimeHost> serving =
        onDevice(hosts.stream().filter(RuntimeHost::serving).toList(), device);
    if (serving.isEmpty()) {
      // every host is starting (one died): the load waits for the next to listen
      return nextReady
          .orTimeout(60, TimeUnit.SECONDS)
          .thenCompose(x -> attempt(dir, v, device, retries));
    }
    List<RuntimeHost> free =
        serving.stream()
            .filter(h -> !h.models().contains(key))
            .sorted(Comparator.comparingInt((RuntimeHost h) -> h.models().size()))
            .toList();
    if (free.isEmpty() && serving.size() < onDevice(hosts, device).size()) {
      // a host is starting (it replaces one that died): it will have room for this one
      return nextReady
          .orTimeout(60, TimeUnit.SECONDS)
          .thenCompose(x -> attempt(dir, v, device, retries));
    }
    if (free.isEmpty()) {
      return CompletableFuture.failedFuture(
          new NoHostLeft(
              "every runtime host ("
                  + serving.size()
                  + ") holds model '"
                  + key.model()
                  + "' version "
                  + key.version()
                  + " already"));
    }
    return tryHosts(dir, v, device, key, free, 0, retries);
  }

  /** The hosts on {@code device}, or all of them when it is null or none of them is there. */
  private static List<RuntimeHost> onDevice(List<RuntimeHost> all, String device) {
    if (device == null) {
      return all;
    }
    List<RuntimeHost> there = all.stream().filter(h -> h.device().equals(device)).toList();
    return there.isEmpty() ? all : there;
  }

  private CompletableFuture<Placed> tryHosts(
      ModelDirectory dir,
      ModelVersion v,
      String device,
      RuntimeHost.Key key,
      List<RuntimeHost> free,
      int i,
      int retries) {
    if (i >= free.size()) {
      if (retries <= 0) {
        return CompletableFuture.failedFuture(
            new RuntimeHost.Refused(
                503,
                "no runtime host has room for model '"
                    + key.model()
                    + "' beside the models it is serving; try again later"));
      }
      return CompletableFuture.supplyAsync(() -> null, delayed)
          .thenCompose(x -> attempt(dir, v, device, retries - 1));
    }
    RuntimeHost h = free.get(i);
    if (!h.models().add(key)) {
      // another replica of this model took this host meanwhile
      return tryHosts(dir, v, device, key, free, i + 1, retries);
    }
    return h.load(dir.dir(), key.model(), key.version())
        .handle(
            (loaded, e) -> {
              if (e == null) {
                return CompletableFuture.completedFuture(placed(h, key, loaded));
              }
              h.models().remove(key);
              Throwable cause =
                  e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
              if (cause instanceof RuntimeHost.Refused r && r.status != 503) {
                return CompletableFuture.<Placed>failedFuture(r);
              }
              // 503, or the host went away under the load: the next host
              return tryHosts(dir, v, device, key, free, i + 1, retries);
            })
        .thenCompose(f -> f);
  }

  private Placed placed(RuntimeHost h, RuntimeHost.Key key, RuntimeHost.Loaded loaded) {
    Listener l = listener;
    for (RuntimeHost.Key gone : loaded.evicted()) {
      for (Placed p : List.copyOf(replicas.values())) {
        if (p.host() == h && p.key().equals(gone) && replicas.remove(p.id()) != null) {
          console.println(
              "  " + p.id() + ": evicted from runtime host " + h.number() + " to make room");
          if (l != null) {
            l.evicted(gone.model(), gone.version(), p.id());
          }
        }
      }
    }
    String id = key.model() + " v" + key.version() + "@host" + h.number();
    Placed p = new Placed(id, h, key, loaded);
    replicas.put(id, p);
    return p;
  }

  /** Whether {@code replicaId} is a replica in a host (loaded and not unloaded or lost). */
  boolean holds(String replicaId) {
    return replicas.containsKey(replicaId);
  }

  /** Unloads a replica from its host (it drains there first). */
  CompletableFuture<Void> unload(String replicaId) {
    Placed p = replicas.remove(replicaId);
    if (p == null) {
      return CompletableFuture.completedFuture(null);
    }
    return p.host()
        .unload(p.key().model(), p.key().version())
        .exceptionally(
            e -> {
              log.warn("unload of {} from {} failed: {}", replicaId, p.host(), e.toString());
              return null;
            });
  }

  /** Process ids of the hosts running now. */
  List<Long> pids() {
    return hosts.stream().map(RuntimeHost::pid).toList();
  }

  /** The hosts running now. */
  List<RuntimeHost> hosts() {
    return List.copyOf(hosts);
  }

  @Override
  public void close() {
    closing = true;
    CompletableFuture.allOf(
            hosts.stream().map(h -> h.stop(5_000)).toArray(CompletableFuture[]::new))
        .join();
    hosts.clear();
  }
}
