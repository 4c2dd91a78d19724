package dev.kairos.runtime.core;

import dev.kairos.multiplexer.arbiter.ArbiterClient;
import dev.kairos.multiplexer.arbiter.policy.SlicePolicies;
import dev.kairos.runtime.batch.Batch;
import dev.kairos.runtime.batch.DynamicBatcher;
import dev.kairos.runtime.batch.PendingRequest;
import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.runtime.metrics.RuntimeMeters;
import dev.kairos.runtime.metrics.RuntimeMetrics;
import dev.kairos.sdk.model.ModelConfig;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Serves one model version: bounded codec work (decode, encode), the dynamic batcher, and batches
 * run on the engine under the device arbiter's leases, on threads of its own or, in a runtime host,
 * the host's ({@link ServiceThreads}). Knows nothing of HTTP: the server maps its exceptions to
 * status codes.
 */
public final class InferenceService implements AutoCloseable {
  /**
   * Added to {@link #admitted} when the service is retired: the value turns negative, so nothing
   * more is admitted, while the requests still in progress keep counting down to exactly this.
   */
  private static final int RETIRED = Integer.MIN_VALUE / 2;

  /** Signalled when a retired service's last request in progress is answered. */
  private final Object idle = new Object();

  private final String model;
  private final String version;
  private final ModelConfig config;
  private final Clock clock;
  private final RuntimeMetrics metrics;
  private final ModelLane codec;
  private final ModelLane compute;

  /** The threads this service started for itself (a replica's), closed with it; null in a host. */
  private final ServiceThreads ownThreads;

  private final DynamicBatcher batcher;
  private final java.util.concurrent.atomic.AtomicInteger admitted =
      new java.util.concurrent.atomic.AtomicInteger();
  private final int admissionLimit;
  private final LoadedModelHolder holder;

  /**
   * @param arbiter asked for a device slice around every batch; {@link ArbiterClient#unshared()}
   *     when the model has its device to itself
   */
  public InferenceService(
      String model,
      String version,
      ModelConfig config,
      LoadedModel loaded,
      WorkerConfig workers,
      ArbiterClient arbiter,
      Clock clock) {
    this(model, version, config, loaded, workers, arbiter, clock, new RuntimeMeters());
  }

  /**
   * @param meters the process's meter families, shared with the other models of a runtime host;
   *     this model writes its own series in them
   */
  public InferenceService(
      String model,
      String version,
      ModelConfig config,
      LoadedModel loaded,
      WorkerConfig workers,
      ArbiterClient arbiter,
      Clock clock,
      RuntimeMeters meters) {
    this(
        model,
        version,
        config,
        loaded,
        workers,
        arbiter,
        clock,
        meters,
        ServiceThreads.dedicated(model, workers, clock),
        true);
  }

  /**
   * A model of a runtime host: its codec tasks, batches and batcher's timer run on the host's
   * {@code threads}, within the bounds {@code workers} sets for this model.
   */
  public InferenceService(
      String model,
      String version,
      ModelConfig config,
      LoadedModel loaded,
      WorkerConfig workers,
      ArbiterClient arbiter,
      Clock clock,
      RuntimeMeters meters,
      ServiceThreads threads) {
    this(model, version, config, loaded, workers, arbiter, clock, meters, threads, false);
  }

  private InferenceService(
      String model,
      String version,
      ModelConfig config,
      LoadedModel loaded,
      WorkerConfig workers,
      ArbiterClient arbiter,
      Clock clock,
      RuntimeMeters meters,
      ServiceThreads threads,
      boolean ownThreads) {
    this.model = model;
    this.version = version;
    this.config = config;
    this.clock = clock;
    this.metrics = new RuntimeMetrics(meters, model, version);
    this.holder = new LoadedModelHolder(model, loaded);
    this.ownThreads = ownThreads ? threads : null;
    this.codec =
        new ModelLane(
            "codec of model '" + model + "'",
            threads.codec(),
            workers.codecThreads(),
            config.batching().maxQueueSize());
    this.compute =
        new ModelLane(
            "batches of model '" + model + "'",
            threads.compute(),
            workers.computeThreads(),
            Integer.MAX_VALUE);
    this.admissionLimit = config.batching().admissionLimit(workers.computeThreads());
    int priority = SlicePolicies.priorityOf(config.device().workloadClass());
    BatchExecutor executor = new BatchExecutor(model, holder, arbiter, clock, metrics, priority);
    this.batcher =
        new DynamicBatcher(
            model,
            config.batching(),
            clock,
            workers.computeThreads(),
            batch -> dispatch(executor, batch));
    batcher.start(threads.timer());
  }

  private void dispatch(BatchExecutor executor, Batch batch) {
    try {
      compute.execute(
          () -> {
            try {
              executor.run(batch);
            } finally {
              batcher.batchDone();
            }
          });
    } catch (RejectedExecutionException e) {
      for (PendingRequest p : batch.requests()) {
        p.result()
            .completeExceptionally(
                new OverloadedException("model '" + model + "' is shutting down"));
      }
      batcher.batchDone();
    }
  }

  /**
   * Admission before any work is spent on a request: true (and counted until {@link #leave()}) when
   * fewer requests are in progress (being decoded, queued or running) than the queue and the
   * running batches can hold. A refused request costs no decode, so an overloaded replica keeps its
   * cores for the requests it can still answer.
   */
  public boolean tryAdmit() {
    int before = admitted.getAndUpdate(n -> n >= 0 && n < admissionLimit ? n + 1 : n);
    return before >= 0 && before < admissionLimit;
  }

  /**
   * Stops admitting requests if none is in progress, atomically with {@link #tryAdmit()}: a runtime
   * host evicts a model only when this returns true, so no admitted request ever finds its model
   * closed under it.
   */
  public boolean retireIfIdle() {
    return admitted.compareAndSet(0, RETIRED);
  }

  /** Stops admitting requests; those in progress go on (see {@link #awaitIdle}). */
  public void retire() {
    admitted.getAndUpdate(n -> n >= 0 ? n + RETIRED : n);
  }

  /** Whether the service was retired: it admits nothing more. */
  public boolean retired() {
    return admitted.get() < 0;
  }

  /**
   * Waits until a retired service has answered every request it admitted.
   *
   * @return false if some were still in progress after {@code timeout}
   */
  public boolean awaitIdle(java.time.Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    synchronized (idle) {
      while (admitted.get() != RETIRED) {
        long left = end - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(idle, left);
      }
      return true;
    }
  }

  /** An admitted request was answered, however it went. */
  public void leave() {
    if (admitted.decrementAndGet() == RETIRED) {
      synchronized (idle) {
        idle.notifyAll();
      }
    }
  }

  /**
   * The most requests this replica admits at once (its queue plus its running batches); the gateway
   * sends no more than this, so a request it cannot take is refused before its body leaves the
   * gateway.
   */
  public int admissionLimit() {
    return admissionLimit;
  }

  /** Requests admitted and not yet answered. */
  public int admitted() {
    int n = admitted.get();
    return n >= 0 ? n : n - RETIRED;
  }

  public String model() {
    return model;
  }

  public String version() {
    return version;
  }

  public ModelConfig config() {
    return config;
  }

  public Clock clock() {
    return clock;
  }

  public RuntimeMetrics metrics() {
    return metrics;
  }

  /** The model currently loaded. */
  public LoadedModel loaded() {
    return holder.acquire();
  }

  /** Whether a model is loaded and takes requests. */
  public boolean ready() {
    return holder.isLoaded();
  }

  /**
   * Runs a decode or encode task on the codec pool.
   *
   * @return a future failed with {@link OverloadedException} when the pool's queue is full
   */
  public <T> CompletableFuture<T> submit(Supplier<T> task) {
    try {
      return CompletableFuture.supplyAsync(task, codec);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(
          new OverloadedException(
              "model '"
                  + model
                  + "' is overloaded: "
                  + codec.waiting()
                  + " requests waiting to be decoded"));
    }
  }

  /**
   * Validates a request and queues it for the batcher; the response is stamped with this model's
   * identity and the request id.
   *
   * @param deadlineNanos monotonic time after which the request must not run, or {@link
   *     Long#MAX_VALUE}
   * @throws dev.kairos.sdk.oip.InvalidInputException when the request does not fit the signature
   */
  public CompletableFuture<InferenceResponse> infer(InferenceRequest request, long deadlineNanos) {
    holder.acquire().signature().validate(request);
    return batcher
        .submit(request, deadlineNanos)
        .thenApply(r -> r.withIdentity(model, version, request.id()));
  }

  /** Replaces the loaded model; requests running on the old one finish first, then it is closed. */
  public void reload(LoadedModel next) {
    holder.replace(next);
  }

  /** Unloads the model: later requests are answered 503 until {@link #reload}. */
  public void unload() {
    holder.replace(null);
  }

  @Override
  public void close() {
    batcher.close();
    codec.shutdown();
    compute.shutdown();
    try {
      // the batches running end before their engine session is closed under them
      compute.awaitIdle(java.time.Duration.ofSeconds(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    holder.replace(null);
    metrics.close();
    if (ownThreads != null) {
      ownThreads.close();
    }
  }
}
