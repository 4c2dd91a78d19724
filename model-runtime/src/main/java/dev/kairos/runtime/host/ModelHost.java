package dev.kairos.runtime.host;

import dev.kairos.multiplexer.arbiter.ArbiterClient;
import dev.kairos.runtime.core.InferenceService;
import dev.kairos.runtime.core.IsolationRefusedException;
import dev.kairos.runtime.core.ModelTooLargeException;
import dev.kairos.runtime.core.OverloadedException;
import dev.kairos.runtime.core.ServiceThreads;
import dev.kairos.runtime.core.UnknownModelException;
import dev.kairos.runtime.core.WorkerConfig;
import dev.kairos.runtime.engine.EngineRegistry;
import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.runtime.engine.ModelLoadException;
import dev.kairos.runtime.engine.ModelSource;
import dev.kairos.runtime.metrics.RuntimeMeters;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelRepository;
import dev.kairos.runtime.repository.ModelVersion;
import dev.kairos.runtime.server.ServedModels;
import dev.kairos.sdk.time.Clock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A runtime host: one process serving several model versions, each its own runtime inside it
 * ({@link InferenceService}), loaded and unloaded while it runs.
 *
 * <p>Loads of one model version take its lock (a second load waits and finds it loaded); loads of
 * different versions run at once up to {@link HostConfig#maxConcurrentLoads()}. Memory is kept
 * within the budget by footprints measured at load ({@link FootprintMeter}): room is made before a
 * load by evicting the least recently used idle models as far as needed ({@link EvictionDecider}),
 * and checked again with the measured figure after it. A model whose load fails, or that does not
 * fit, leaves the others as they were.
 */
public final class ModelHost implements ServedModels, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ModelHost.class);

  /** How long an explicit unload lets the model's requests in progress finish. */
  static final java.time.Duration UNLOAD_GRACE = java.time.Duration.ofSeconds(10);

  private final HostConfig config;
  private final EngineRegistry engines;
  private final Clock clock;
  private final RuntimeMeters meters;
  private final FootprintMeter meter;
  private final ExecutorService loadThreads;

  /**
   * Where every hosted model's codec tasks, batches and batch timer run, each within its bounds.
   */
  private final ServiceThreads serviceThreads;

  private final Semaphore loadSlots;
  private final Map<ModelKey, ReentrantLock> locks = new ConcurrentHashMap<>();
  private final HostMemory memory;
  private final Map<ModelKey, String> failures = new ConcurrentHashMap<>();

  /** Footprints measured at earlier loads, by artifact file: what a reload reserves. */
  private final Map<ArtifactFile, Footprint> measured = new ConcurrentHashMap<>();

  /** An artifact as it was on disk: a file rewritten in place is a new one. */
  private record ArtifactFile(Path path, long bytes, long modifiedMillis) {
    static ArtifactFile of(Path path) {
      try {
        return new ArtifactFile(path, Files.size(path), Files.getLastModifiedTime(path).toMillis());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  public ModelHost(
      HostConfig config,
      EngineRegistry engines,
      Clock clock,
      RuntimeMeters meters,
      FootprintMeter meter) {
    this.config = config;
    this.engines = engines;
    this.clock = clock;
    this.meters = meters;
    this.meter = meter;
    this.memory = new HostMemory(config.memoryBudgetBytes(), clock);
    this.loadSlots = new Semaphore(config.maxConcurrentLoads(), true);
    this.serviceThreads = ServiceThreads.shared(clock);
    AtomicInteger n = new AtomicInteger();
    this.loadThreads =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "model-load-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  public HostConfig config() {
    return config;
  }

  /**
   * Loads a version of the model in {@code dir} (the highest when {@code version} is null), or
   * finds it loaded already.
   *
   * @return completes with what was done, or fails with {@link ModelLoadException} or {@link
   *     dev.kairos.sdk.model.ModelConfigException} (the files), {@link IsolationRefusedException},
   *     {@link ModelTooLargeException} (both sizes in the message) or {@link OverloadedException}
   *     (no room while the models in memory have requests in flight)
   */
  public CompletableFuture<LoadOutcome> load(String model, Path dir, String version) {
    return CompletableFuture.supplyAsync(() -> loadNow(model, dir, version), loadThreads);
  }

  /** Unloads the model's versions ({@code version} null: all of them). */
  public CompletableFuture<List<ModelKey>> unload(String model, String version) {
    return CompletableFuture.supplyAsync(() -> unloadNow(model, version), loadThreads);
  }

  /** Unloads the models idle for longer than the config says; called periodically. */
  public List<ModelKey> evictIdle() {
    List<HostedModel> victims = memory.retireIdle(config.idleUnloadAfter());
    close(victims, "idle for " + config.idleUnloadAfter());
    return victims.stream().map(HostedModel::key).toList();
  }

  /** Loads waiting for a slot (the concurrency bound), for tests and the index. */
  public int loadsWaiting() {
    return loadSlots.getQueueLength();
  }

  /** The model versions loaded, most recently used first. */
  public List<HostedView> index() {
    long now = clock.monotonicNanos();
    List<HostedView> out = new ArrayList<>();
    memory.models().stream()
        .sorted(Comparator.comparingLong(HostedModel::lastUsedNanos).reversed())
        .forEach(
            m ->
                out.add(
                    new HostedView(
                        m.key(),
                        "READY",
                        null,
                        m.footprint(),
                        m.service().admitted(),
                        (now - m.lastUsedNanos()) / 1_000_000)));
    memory
        .reservations()
        .forEach(
            (k, bytes) ->
                out.add(new HostedView(k, "LOADING", null, new Footprint(bytes, false), 0, 0)));
    failures.forEach(
        (k, reason) -> {
          if (memory.get(k) == null) {
            out.add(new HostedView(k, "UNAVAILABLE", reason, null, 0, 0));
          }
        });
    return out;
  }

  /** The bytes the loaded models' footprints and the loads in progress take together. */
  public long usedBytes() {
    return memory.usedBytes();
  }

  @Override
  public InferenceService resolve(String model, String version) {
    HostedModel m;
    if (version != null) {
      m = memory.get(new ModelKey(model, version));
      if (m == null) {
        throw new UnknownModelException(
            "model '" + model + "' version " + version + " is not loaded on this host");
      }
    } else {
      m =
          memory.models().stream()
              .filter(x -> x.key().model().equals(model))
              .max(Comparator.comparingLong(x -> Long.parseLong(x.key().version())))
              .orElseThrow(
                  () ->
                      new UnknownModelException(
                          "model '" + model + "' is not loaded on this host"));
    }
    m.touch(clock.monotonicNanos());
    return m.service();
  }

  @Override
  public boolean ready() {
    return true;
  }

  @Override
  public RuntimeMeters meters() {
    return meters;
  }

  private LoadOutcome loadNow(String model, Path dir, String version) {
    ModelDirectory d = ModelRepository.read(dir);
    if (!d.ok()) {
      throw new ModelLoadException(d.error());
    }
    if (!d.name().equals(model)) {
      throw new ModelLoadException(
          dir + " holds model '" + d.name() + "', not '" + model + "' as the load asked");
    }
    ModelVersion v =
        version == null
            ? d.latest()
            : d.version(version)
                .orElseThrow(
                    () ->
                        new ModelLoadException("model '" + model + "' has no version " + version));
    ModelKey key = new ModelKey(model, v.version());
    ReentrantLock lock = locks.computeIfAbsent(key, k -> new ReentrantLock());
    lock.lock();
    try {
      HostedModel current = memory.get(key);
      if (current != null && current.artifact().equals(v.artifact())) {
        current.touch(clock.monotonicNanos());
        return new LoadOutcome(
            key, current.footprint(), 0, true, List.of(), current.service().admissionLimit());
      }
      HostSharing.check(d, v, config.trusted());
      loadSlots.acquireUninterruptibly();
      try {
        LoadOutcome out = loadLocked(key, d, v, current);
        failures.remove(key);
        return out;
      } catch (RuntimeException | LinkageError e) {
        failures.put(key, message(e));
        throw e;
      } finally {
        loadSlots.release();
      }
    } finally {
      lock.unlock();
    }
  }

  private LoadOutcome loadLocked(
      ModelKey key, ModelDirectory d, ModelVersion v, HostedModel current) {
    long started = clock.monotonicNanos();
    ArtifactFile artifact = ArtifactFile.of(v.artifact());
    long floor = artifact.bytes();
    Footprint known = measured.get(artifact);
    long reserve = known != null ? known.bytes() : floor;
    if (reserve > config.memoryBudgetBytes()) {
      throw tooLarge(
          key, reserve, known != null ? "measured when it was last loaded" : "its file's size");
    }
    HostMemory.Room room = memory.reserve(key, reserve);
    close(room.retired(), "evicted to make room for " + key);
    if (!room.fits()) {
      throw memory.noRoom(key, reserve);
    }
    List<HostedModel> evicted = new ArrayList<>(room.retired());
    FootprintMeter.Window window = meter.open();
    InferenceService service;
    LoadedModel model = null;
    try {
      model =
          engines
              .get(d.config().engine())
              .load(new ModelSource(v.version(), v.artifact(), d.config(), config.modelThreads()));
      // inside the footprint's window: what the model takes when it runs is part of it
      FirstRun.run(key.model(), d.config(), model);
      service =
          new InferenceService(
              key.model(),
              key.version(),
              d.config(),
              model,
              new WorkerConfig(config.workers(), config.codecThreads()),
              ArbiterClient.unshared(),
              clock,
              meters,
              serviceThreads);
    } catch (RuntimeException | LinkageError e) {
      meter.cancel(window);
      memory.unreserve(key);
      if (model != null) {
        model.close();
      }
      log.warn("model={} version={} failed to load: {}", key.model(), key.version(), message(e));
      throw new ModelLoadException(
          "model '" + key.model() + "' version " + key.version() + " failed to load: " + message(e),
          e);
    }
    // what the load allocated and freed again (graph optimisation's copies) leaves the arenas
    // before the footprint is read, so the footprint is what the model keeps
    NativeHeap.trim();
    Footprint footprint = meter.close(window, floor);
    if (footprint.alone() || known == null) {
      measured.put(artifact, footprint);
    }
    HostedModel hosted = new HostedModel(key, service, v.artifact(), footprint, started);
    if (footprint.bytes() > config.memoryBudgetBytes()) {
      memory.unreserve(key);
      close(List.of(hosted), "larger than the budget");
      throw tooLarge(key, footprint.bytes(), "measured at load");
    }
    HostMemory.Room placed = memory.place(hosted);
    List<HostedModel> more = placed.retired();
    close(more, "evicted to make room for " + key);
    if (!placed.fits()) {
      close(List.of(hosted), "no room beside the busy models");
      throw memory.noRoom(key, footprint.bytes());
    }
    evicted.addAll(more);
    if (current != null) {
      current.service().retire();
      awaitIdle(current);
      close(List.of(current), "replaced by " + v.artifact());
    }
    long took = clock.monotonicNanos() - started;
    log.atLevel(levelFor(key.model()))
        .log(
            "model={} version={} loaded in {} ms, footprint {}{}",
            key.model(),
            key.version(),
            took / 1_000_000,
            HostConfig.mib(footprint.bytes()),
            footprint.alone() ? "" : " (measured beside another load)");
    return new LoadOutcome(
        key,
        footprint,
        took,
        false,
        evicted.stream().map(HostedModel::key).toList(),
        service.admissionLimit());
  }

  private List<ModelKey> unloadNow(String model, String version) {
    List<ModelKey> keys =
        memory.models().stream()
            .map(HostedModel::key)
            .filter(k -> k.model().equals(model))
            .filter(k -> version == null || k.version().equals(version))
            .toList();
    if (keys.isEmpty()) {
      throw new UnknownModelException(
          "model '"
              + model
              + "'"
              + (version == null ? "" : " version " + version)
              + " is not loaded on this host");
    }
    List<ModelKey> done = new ArrayList<>();
    for (ModelKey k : keys) {
      ReentrantLock lock = locks.computeIfAbsent(k, x -> new ReentrantLock());
      lock.lock();
      try {
        HostedModel m = memory.remove(k);
        if (m != null) {
          // Out of routing; the requests it admitted are answered before it is closed.
          m.service().retire();
          if (!awaitIdle(m)) {
            log.warn(
                "model={} version={} unloaded with {} requests still in progress after {}",
                k.model(),
                k.version(),
                m.service().admitted(),
                UNLOAD_GRACE);
          }
          close(List.of(m), "unloaded on request");
          done.add(k);
        }
      } finally {
        lock.unlock();
      }
    }
    return done;
  }

  private static boolean awaitIdle(HostedModel m) {
    try {
      return m.service().awaitIdle(UNLOAD_GRACE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void close(List<HostedModel> models, String why) {
    for (HostedModel m : models) {
      long freed =
          meter.release(
              () -> {
                m.service().close();
                NativeHeap.trim();
              });
      log.atLevel(levelFor(m.key().model()))
          .log(
              "model={} version={} unloaded ({}), {} given back",
              m.key().model(),
              m.key().version(),
              why,
              HostConfig.mib(freed));
    }
  }

  private ModelTooLargeException tooLarge(ModelKey key, long bytes, String how) {
    return new ModelTooLargeException(
        "model '"
            + key.model()
            + "' version "
            + key.version()
            + " takes "
            + HostConfig.mib(bytes)
            + " ("
            + how
            + "), more than this host's whole memory budget of "
            + HostConfig.mib(config.memoryBudgetBytes()));
  }

  private static String message(Throwable e) {
    return e.getMessage() == null ? e.toString() : e.getMessage().replace('\n', ' ');
  }

  @Override
  public void close() {
    for (HostedModel m : memory.removeAll()) {
      m.service().close();
    }
    loadThreads.shutdownNow();
    serviceThreads.close();
  }

  /** The platform's own warm-up model comes and goes at every serve's start: not worth INFO. */
  private static org.slf4j.event.Level levelFor(String model) {
    return dev.kairos.runtime.WarmUpModel.NAME.equals(model)
        ? org.slf4j.event.Level.DEBUG
        : org.slf4j.event.Level.INFO;
  }
}
