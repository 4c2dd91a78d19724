package dev.kairos.cli;

import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelRepository;
import dev.kairos.runtime.repository.ModelVersion;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Local mode: the model repository on disk, its replicas (a light model loaded into a shared
 * runtime host, any other a child JVM of its own; {@link HostPlacement} decides), and the gateway's
 * route table kept in step with them. Every start waits its turn in one {@link StartQueue}.
 * Progress goes to the console the platform was started from.
 */
class LocalPlatform implements AutoCloseable {
  private final ModelRepository repository;
  private final RouteTable routes;
  private final ReplicaCommand replicaCommand;
  private final PrintStream console;
  private final SharedDevices sharedDevices;
  private final ReplicaPlacement placement;
  private final Map<String, ModelDirectory> models = new ConcurrentHashMap<>();
  private final Map<String, RuntimeProcess> processes = new ConcurrentHashMap<>();
  private final ReplicaTime replicaTime = new ReplicaTime(System::nanoTime);

  private final WarmPool pool;
  private final SharedHosts hosts;
  private final HostPlacement hostPlacement;
  private final StartQueue starts;
  private final WaitingRequests waiting;
  private volatile ReplicaExitListener exitListener;
  private volatile boolean closing;
  private final java.util.Set<String> leaving = ConcurrentHashMap.newKeySet();

  /** Models a replica was asked for since serve started. */
  private final java.util.Set<String> askedFor = ConcurrentHashMap.newKeySet();

  private volatile GraphPreparation preparation;

  /**
   * @param warmPool standby replica processes kept warm for fast scale-from-zero (0: none)
   * @param sharedDevices the arbiters of devices that models share ({@code device.shared})
   */
  LocalPlatform(
      ModelRepository repository,
      RouteTable routes,
      ReplicaCommand replicaCommand,
      PrintStream console,
      int warmPool,
      SharedDevices sharedDevices) {
    this(
        repository,
        routes,
        replicaCommand,
        console,
        warmPool > 0 ? new WarmPool(warmPool, replicaCommand) : null,
        ReplicaPlacement.local(sharedDevices, DeviceSharing.WEIGHTS, 1, model -> 0),
        null,
        new StartQueue(Integer.MAX_VALUE, 1, () -> true, null),
        new WaitingRequests(dev.kairos.sdk.time.Clock.system()));
  }

  /**
   * @param pool standby replica processes, or null for none
   * @param placement decides each replica's device, and holds the arbiters of shared devices
   * @param hosts the shared runtime hosts light models load into, or null for none (every replica a
   *     process of its own)
   * @param starts where every replica start waits for its turn
   * @param waiting when the requests held for each model began to wait (the queue's order)
   */
  LocalPlatform(
      ModelRepository repository,
      RouteTable routes,
      ReplicaCommand replicaCommand,
      PrintStream console,
      WarmPool pool,
      ReplicaPlacement placement,
      SharedHosts hosts,
      StartQueue starts,
      WaitingRequests waiting) {
    this.placement = placement;
    this.sharedDevices = placement.arbiters();
    this.pool = pool;
    this.hosts = hosts;
    this.hostPlacement = new HostPlacement(hosts != null);
    this.starts = starts;
    this.waiting = waiting;
    this.repository = repository;
    this.routes = routes;
    this.replicaCommand = replicaCommand;
    this.console = console;
    if (hosts != null) {
      hosts.onReplicaGone(new HostedReplicasGone());
    }
  }

  /** When the requests held at zero for each model began to wait. */
  WaitingRequests waiting() {
    return waiting;
  }

  /** Replicas a host dropped on its own: out of routing; a lost one is replaced. */
  private final class HostedReplicasGone implements SharedHosts.Listener {
    @Override
    public void evicted(String model, String version, String replicaId) {
      replicaTime.ended(replicaId);
      unroute(model, version, replicaId);
    }

    @Override
    public void lost(String model, String version, String replicaId, String why) {
      replicaTime.ended(replicaId);
      unroute(model, version, replicaId);
      console.println("  " + replicaId + ": lost, " + why);
      ReplicaExitListener l = exitListener;
      if (!closing && l != null) {
        l.left(model, version, replicaId, why);
      }
    }
  }

  private void unroute(String model, String version, String replicaId) {
    ModelRoute route = routes.find(model);
    if (route != null && route.existingVersion(version) != null) {
      route.existingVersion(version).remove(replicaId);
    }
  }

  /** Who replaces replicas that exit on their own (the supervisor); one listener at most. */
  void onUnexpectedExit(ReplicaExitListener listener) {
    this.exitListener = listener;
  }

  RouteTable routes() {
    return routes;
  }

  SharedDevices sharedDevices() {
    return sharedDevices;
  }

  ReplicaPlacement placement() {
    return placement;
  }

  ModelRepository repository() {
    return repository;
  }

  /** The model directories as last read. */
  Map<String, ModelDirectory> models() {
    return Map.copyOf(models);
  }

  /**
   * Reads every model of the repository and starts {@code scaling.initialScale} replicas of each
   * version (none for a model that starts at zero).
   *
   * @return completes with the number of models serving once every load has finished or failed
   */
  CompletableFuture<Integer> loadAll() {
    List<CompletableFuture<Boolean>> loads = new ArrayList<>();
    List<ModelDirectory> dirs = repository.scan();
    // placement decides each replica's device over every model: all of them before the first starts
    dirs.stream().filter(ModelDirectory::ok).forEach(d -> models.put(d.name(), d));
    for (ModelDirectory dir : dirs) {
      loads.add(load(dir));
    }
    return CompletableFuture.allOf(loads.toArray(CompletableFuture[]::new))
        .thenApply(v -> (int) loads.stream().filter(CompletableFuture::join).count());
  }

  /**
   * Prepares, in the background, the registered models whose first load would optimise a graph
   * worth keeping ({@link GraphPreparation}); models asked for meanwhile are passed over.
   *
   * @return completes with how many were prepared
   */
  CompletableFuture<Integer> prepareModels() {
    GraphPreparation p =
        new GraphPreparation(
            replicaCommand, m -> askedFor.contains(m) || waiting.waits(m), console);
    preparation = p;
    if (closing) {
      p.close();
    }
    return p.start(
        models.values().stream()
            .sorted(java.util.Comparator.comparing(ModelDirectory::name))
            .toList());
  }

  /**
   * Serves one model: its route, traffic split and {@code initialScale} replicas per version. A
   * model that cannot be read is routed as FAILED with its reason, so clients get that reason
   * rather than a 404.
   *
   * @return completes with whether at least one version is serving
   */
  CompletableFuture<Boolean> load(ModelDirectory dir) {
    ModelRoute route = routes.model(dir.name());
    if (!dir.ok()) {
      route.markFailed(dir.error());
      console.println("  " + dir.name() + ": FAILED: " + dir.error());
      return CompletableFuture.completedFuture(false);
    }
    models.put(dir.name(), dir);
    route.setTraffic(dir.config().traffic());
    route.setGenerative(dir.config().isGenerative());
    int initial = dir.config().scaling().initialScale();
    if (initial == 0) {
      // scale to zero from the start: the activator holds the first request and asks for a replica
      for (ModelVersion v : dir.versions()) {
        route.version(v.version());
      }
      route.markReady();
      console.println("  " + dir.name() + ": at zero replicas until its first request");
      GraphPreparation p = preparation;
      if (p != null) {
        // deployed while serving (at start, prepareModels queues every model once loadAll is done)
        p.prepare(dir);
      }
      return CompletableFuture.completedFuture(true);
    }
    List<CompletableFuture<Boolean>> versions = new ArrayList<>();
    // Why each version failed, so the route (and kairos deploy) can say it, not just the console.
    List<String> reasons = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (ModelVersion v : dir.versions()) {
      List<CompletableFuture<Replica>> replicas = new ArrayList<>();
      for (int i = 0; i < initial; i++) {
        replicas.add(startReplica(dir, v));
      }
      versions.add(
          CompletableFuture.allOf(replicas.toArray(CompletableFuture[]::new))
              .handle(
                  (x, e) -> {
                    boolean ok = replicas.stream().anyMatch(r -> !r.isCompletedExceptionally());
                    if (!ok && e != null) {
                      reasons.add("v" + v.version() + ": " + rootMessage(e));
                    }
                    return ok;
                  }));
    }
    return CompletableFuture.allOf(versions.toArray(CompletableFuture[]::new))
        .thenApply(
            x -> {
              boolean any = versions.stream().anyMatch(CompletableFuture::join);
              if (any) {
                route.markReady();
              } else {
                route.markFailed(
                    "no version of model '"
                        + dir.name()
                        + "' could be loaded"
                        + (reasons.isEmpty() ? "" : ": " + String.join("; ", reasons)));
              }
              return any;
            });
  }

  /**
   * Starts one replica process of a model version and adds it to the version's replica set once it
   * is ready.
   *
   * @return completes with the replica, or fails with the reason it could not load
   */
  CompletableFuture<Replica> startReplica(ModelDirectory dir, ModelVersion v) {
    return startReplica(dir, v, id -> {});
  }

  /**
   * As {@link #startReplica(ModelDirectory, ModelVersion)}, telling {@code onProcess} the replica's
   * id as soon as its process exists: the replica joins the route table a moment before the
   * returned future completes, and a caller that counts both must not count it twice.
   */
  CompletableFuture<Replica> startReplica(
      ModelDirectory dir, ModelVersion v, java.util.function.Consumer<String> onProcess) {
    askedFor.add(dir.name());
    if (hostPlacement.place(dir) == HostPlacement.Where.HOST) {
      return starts
          .submit(
              StartQueue.Lane.HOST, waiting.since(dir.name()), () -> startInHost(dir, v, onProcess))
          .exceptionallyCompose(
              e -> {
                Throwable c =
                    e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                if (HostPlacement.needsOwnProcess(c)) {
                  console.println(
                      "  "
                          + dir.name()
                          + " v"
                          + v.version()
                          + ": a process of its own, as "
                          + rootMessage(c));
                  return queuedProcess(dir, v, onProcess);
                }
                console.println(
                    "  " + dir.name() + " v" + v.version() + ": FAILED: " + rootMessage(c));
                return CompletableFuture.failedFuture(c);
              });
    }
    return queuedProcess(dir, v, onProcess);
  }

  private CompletableFuture<Replica> queuedProcess(
      ModelDirectory dir, ModelVersion v, java.util.function.Consumer<String> onProcess) {
    return starts.submit(
        StartQueue.Lane.PROCESS, waiting.since(dir.name()), () -> startProcess(dir, v, onProcess));
  }

  /** Loads a replica into a shared host and routes to it. */
  private CompletableFuture<Replica> startInHost(
      ModelDirectory dir, ModelVersion v, java.util.function.Consumer<String> onProcess) {
    String label = dir.name() + " v" + v.version();
    return hosts
        .load(dir, v, placement.hostDevice(dir, models.values()))
        .thenApply(
            placed -> {
              placement.started(placed.id(), placement.deviceOfHost(placed.host().device()));
              Replica replica =
                  new Replica(
                      placed.id(), "127.0.0.1", placed.host().port(), placed.loaded().capacity());
              onProcess.accept(placed.id());
              replicaTime.started(placed.id(), dir.name(), v.version());
              routes.model(dir.name()).version(v.version()).add(replica);
              if (!hosts.holds(placed.id())) {
                unroute(dir.name(), v.version(), placed.id()); // its host went meanwhile
              }
              waiting.served(dir.name());
              console.printf(
                  Locale.ROOT,
                  "  %s: ready (in runtime host %d on 127.0.0.1:%d, loaded in %.0f ms, %s)%n",
                  label,
                  placed.host().number(),
                  placed.host().port(),
                  placed.loaded().loadMillis(),
                  MemoryAdmission.mib(placed.loaded().footprintBytes()));
              return replica;
            });
  }

  /** Starts a replica process of its own. */
  private CompletableFuture<Replica> startProcess(
      ModelDirectory dir, ModelVersion v, java.util.function.Consumer<String> onProcess) {
    String label = dir.name() + " v" + v.version();
    console.println("  " + label + ": loading " + dir.dir().relativize(v.artifact()));
    long started = System.nanoTime();
    RuntimeProcess p;
    ReplicaSite site;
    try {
      site = placement.assign(dir, models.values());
      console.println("  " + label + ": " + site.description());
      ReplicaCommand command = replicaCommand.placedAt(site);
      if (pool != null && waiting.waits(dir.name())) {
        pool.coldStart(); // a request waits for this process: demand the pool is sized by
      }
      // a standby replica started without the site's arbiter socket, priority or GPU: such a
      // replica starts fresh
      RuntimeProcess warm =
          pool == null || !site.standbyAllowed() ? null : pool.take().orElse(null);
      if (warm != null) {
        command.pin(warm.pid());
        warm.assign(dir.dir(), v.version());
        p = warm;
      } else {
        p = RuntimeProcess.start(dir.dir(), v.version(), command, site.runtimeArgs());
      }
    } catch (IOException | java.io.UncheckedIOException | IllegalStateException e) {
      console.println("  " + label + ": FAILED: cannot start a replica process: " + e.getMessage());
      return CompletableFuture.failedFuture(e);
    }
    String id = label + "#" + p.pid();
    processes.put(id, p);
    replicaTime.started(id, dir.name(), v.version());
    placement.retain(this::hasReplica);
    placement.started(id, site.device());
    onProcess.accept(id);
    return p.ready()
        .handle(
            (ready, err) -> {
              if (err != null) {
                processes.remove(id);
                replicaTime.ended(id);
                console.println("  " + label + ": FAILED: " + rootMessage(err));
                throw new CompletionException(err);
              }
              int port = ready.port();
              Replica replica = new Replica(id, "127.0.0.1", port, ready.capacity());
              routes.model(dir.name()).version(v.version()).add(replica);
              waiting.served(dir.name());
              // Stopped from outside (SIGTERM): no new requests while it finishes the ones it has.
              p.draining().thenRun(() -> draining(dir.name(), v.version(), id, replica));
              p.exited().thenAccept(status -> exited(dir.name(), v.version(), id, status));
              console.printf(
                  Locale.ROOT,
                  "  %s: ready (replica pid %d on 127.0.0.1:%d, %.1f s)%n",
                  label,
                  p.pid(),
                  port,
                  (System.nanoTime() - started) / 1e9);
              return replica;
            });
  }

  /**
   * A replica says it is stopping. If nobody here stopped it (SIGTERM from outside), it takes no
   * new requests from now on and the supervisor is told at once, so its replacement starts while it
   * finishes the requests it has: a rolling replacement.
   */
  private void draining(String model, String version, String id, Replica replica) {
    if (closing || !processes.containsKey(id) || !leaving.add(id)) {
      return; // stopped on purpose
    }
    replica.drain();
    console.println("  " + id.replace('#', ' ') + ": was sent SIGTERM, draining");
    ReplicaExitListener l = exitListener;
    if (l != null) {
      l.left(model, version, id, "was sent SIGTERM");
    }
  }

  /**
   * A replica process ended. If nobody stopped it (it crashed or was killed), it leaves routing at
   * once and the supervisor is told, to replace it.
   */
  private void exited(String model, String version, String id, int status) {
    replicaTime.ended(id);
    if (closing || processes.remove(id) == null) {
      return; // stopped on purpose
    }
    ModelRoute route = routes.find(model);
    if (route != null && route.existingVersion(version) != null) {
      route.existingVersion(version).remove(id);
    }
    console.println("  " + id.replace('#', ' ') + ": exited (status " + status + ")");
    ReplicaExitListener l = exitListener;
    if (!leaving.remove(id) && l != null) {
      l.left(model, version, id, "exited with status " + status);
    }
  }

  /**
   * Replica-seconds of a model version since serve started: each replica (a process of its own, or
   * the model loaded in a shared host) counts from the moment it was asked for until it was
   * stopped, exited, evicted or lost.
   */
  double replicaSeconds(String model, String version) {
    return replicaTime.seconds(model, version);
  }

  /** Whether placement would now put the model of {@code replicaId} on another device. */
  boolean misplaced(String model, String replicaId) {
    return placement.misplaced(replicaId, model, models.values());
  }

  /** Whether {@code replicaId} is a replica process of this platform that was not stopped. */
  boolean runs(String replicaId) {
    return processes.containsKey(replicaId);
  }

  /** Whether a replica is there, as a process of its own or loaded in a host. */
  boolean hasReplica(String replicaId) {
    return processes.containsKey(replicaId) || hosts != null && hosts.holds(replicaId);
  }

  /**
   * A replica is alive but does not answer (the liveness probe gave up on it): it leaves routing at
   * once, its process is killed, and the supervisor is told {@code why}, to replace it.
   */
  void replaceHung(String model, String version, String id, String why) {
    RuntimeProcess p = processes.get(id);
    if (closing || p == null || !leaving.add(id)) {
      return; // stopped or replaced meanwhile
    }
    ModelRoute route = routes.find(model);
    if (route != null && route.existingVersion(version) != null) {
      route.existingVersion(version).remove(id);
    }
    console.println("  " + id.replace('#', ' ') + ": " + why + ", killing it");
    p.kill();
    ReplicaExitListener l = exitListener;
    if (l != null) {
      l.left(model, version, id, why);
    }
  }

  /** The shared runtime hosts running now (none when serve runs every replica as a process). */
  List<RuntimeHost> hosts() {
    return hosts == null ? List.of() : hosts.hosts();
  }

  /**
   * A runtime host is alive but does not answer (the liveness probe gave up on it): it is killed,
   * and its models come back elsewhere as after a host crash.
   */
  void replaceHungHost(RuntimeHost host, String why) {
    if (closing) {
      return;
    }
    console.println("  runtime host " + host.number() + ": " + why + ", killing it");
    host.process().kill();
  }

  /**
   * Takes a replica out of routing, lets its in-flight requests finish (up to {@code graceMillis}),
   * then stops its process.
   */
  void stopReplica(String model, String version, String replicaId, long graceMillis) {
    ModelRoute route = routes.find(model);
    if (route != null && route.existingVersion(version) != null) {
      route.existingVersion(version).remove(replicaId);
    }
    replicaTime.ended(replicaId);
    if (hosts != null && hosts.holds(replicaId)) {
      hosts.unload(replicaId).thenRun(() -> console.println("  " + replicaId + ": unloaded"));
      return;
    }
    RuntimeProcess p = processes.remove(replicaId);
    if (p != null) {
      p.stop(graceMillis);
      console.println("  " + replicaId.replace('#', ' ') + ": stopped");
    }
  }

  /** The model directory a model was loaded from, if it is loaded. */
  java.util.Optional<ModelDirectory> model(String name) {
    return java.util.Optional.ofNullable(models.get(name));
  }

  /**
   * Stops serving a model: its versions stop taking requests, in-flight requests finish (up to
   * {@code graceMillis}), its replica processes stop and its route goes. Returns at once: the
   * waiting happens in the stage, which completes once every process is gone.
   */
  CompletableFuture<Void> unload(String name, long graceMillis) {
    ModelRoute route = routes.find(name);
    models.remove(name);
    // a model deployed again under this name is new to preparation and to the start queue: its
    // files may have changed, and the activator answers what was held for the old one
    askedFor.remove(name);
    waiting.served(name);
    if (route == null) {
      return CompletableFuture.completedFuture(null);
    }
    List<CompletableFuture<Void>> drained = new ArrayList<>();
    for (dev.kairos.gateway.route.ReplicaSet set : route.versions().values()) {
      for (Replica r : set.all()) {
        r.drain();
        drained.add(r.drained());
      }
    }
    return CompletableFuture.allOf(drained.toArray(CompletableFuture[]::new))
        .completeOnTimeout(null, graceMillis, java.util.concurrent.TimeUnit.MILLISECONDS)
        .thenCompose(
            x -> {
              List<CompletableFuture<Void>> stopped = new ArrayList<>();
              for (Map.Entry<String, dev.kairos.gateway.route.ReplicaSet> e :
                  route.versions().entrySet()) {
                for (Replica r : e.getValue().all()) {
                  e.getValue().remove(r.id());
                  stopped.add(stopProcess(r.id()));
                }
              }
              // replicas still starting belong to no route yet: stop them by their id prefix
              for (String id : List.copyOf(processes.keySet())) {
                if (id.startsWith(name + " v")) {
                  stopped.add(stopProcess(id));
                }
              }
              return CompletableFuture.allOf(stopped.toArray(CompletableFuture[]::new));
            })
        .thenRun(
            () -> {
              routes.remove(name);
              console.println("  " + name + ": unloaded");
            });
  }

  private CompletableFuture<Void> stopProcess(String replicaId) {
    replicaTime.ended(replicaId);
    if (hosts != null && hosts.holds(replicaId)) {
      return hosts.unload(replicaId);
    }
    RuntimeProcess p = processes.remove(replicaId);
    if (p == null) {
      return CompletableFuture.completedFuture(null);
    }
    return p.stopAsync(5_000)
        .thenRun(() -> console.println("  " + replicaId.replace('#', ' ') + ": stopped"));
  }

  /** Process ids of every replica process and runtime host started and not yet stopped. */
  List<Long> replicaPids() {
    List<Long> pids =
        new ArrayList<>(processes.values().stream().map(RuntimeProcess::pid).toList());
    if (hosts != null) {
      pids.addAll(hosts.pids());
    }
    return pids;
  }

  /** Process ids of the replica processes of their own (not hosts, not standbys). */
  List<Long> processPids() {
    return processes.values().stream().map(RuntimeProcess::pid).toList();
  }

  /** Stops every replica process. */
  @Override
  public void close() {
    closing = true;
    GraphPreparation prep = preparation;
    if (prep != null) {
      prep.close();
    }
    sharedDevices
        .arbiters()
        .forEach(
            (device, a) ->
                console.printf(
                    Locale.ROOT,
                    "  device %s: arbiter granted %d slices, rejected %d%n",
                    device,
                    a.arbiter().grantedCount(),
                    a.arbiter().rejectedCount()));
    if (pool != null) {
      pool.close();
    }
    processes.values().parallelStream().forEach(p -> p.stop(5_000));
    processes.clear();
    if (hosts != null) {
      hosts.close();
    }
    sharedDevices.close();
  }

  static String rootMessage(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }
}
