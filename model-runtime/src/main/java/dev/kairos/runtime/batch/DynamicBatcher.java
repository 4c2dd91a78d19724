package dev.kairos.runtime.batch;

import dev.kairos.runtime.core.DeadlineExceededException;
import dev.kairos.runtime.core.OverloadedException;
import dev.kairos.sdk.model.BatchingConfig;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Forms batches of one model version's requests: a bounded queue, a batch goes out when it is full,
 * reaches a preferred size, or its oldest request has waited {@code maxQueueDelay}, and only while
 * fewer than {@code maxInFlight} batches are running. Requests whose deadline passes in the queue
 * are answered with {@link DeadlineExceededException} and never run.
 *
 * <p>All decisions read the injected {@link Clock}. {@link #dispatchDue()} does the work; it runs
 * on the thread that submits or finishes a batch, and on a {@link BatchTimer} ({@link #start()}, or
 * {@link #start(BatchTimer)} with one shared by a host's models) for the moments nobody else is
 * awake for. Tests call it themselves under a fake clock.
 */
public final class DynamicBatcher implements AutoCloseable {
  private final String model;
  private final BatchingConfig config;
  private final Clock clock;
  private final int maxInFlight;
  private final Consumer<Batch> dispatcher;
  private final long delayNanos;
  private final List<PendingRequest> queue = new ArrayList<>();

  // guarded by this
  private int inFlight;
  private boolean closed;

  /** The earliest wake asked of the timer and not yet fired. */
  private long timerWakeNanos = Long.MAX_VALUE;

  private BatchTimer timer;

  /**
   * @param maxInFlight batches that may run at once (the engine's worker threads)
   * @param dispatcher runs a batch and calls {@link #batchDone()} when it has finished; must not
   *     block
   */
  public DynamicBatcher(
      String model,
      BatchingConfig config,
      Clock clock,
      int maxInFlight,
      Consumer<Batch> dispatcher) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight = " + maxInFlight + ", must be >= 1");
    }
    if (config.maxQueueSize() < 1) {
      throw new IllegalArgumentException(
          "maxQueueSize = " + config.maxQueueSize() + ", must be >= 1");
    }
    this.model = model;
    this.config = config;
    this.clock = clock;
    this.maxInFlight = maxInFlight;
    this.dispatcher = dispatcher;
    this.delayNanos = config.maxQueueDelay().toNanos();
  }

  /**
   * Queues a validated request.
   *
   * @param deadlineNanos monotonic time after which it must not run, or {@link Long#MAX_VALUE}
   * @return its response; failed at once with {@link OverloadedException} when the queue is full
   */
  public CompletableFuture<InferenceResponse> submit(InferenceRequest request, long deadlineNanos) {
    CompletableFuture<InferenceResponse> result = new CompletableFuture<>();
    long now = clock.monotonicNanos();
    synchronized (this) {
      if (closed) {
        return CompletableFuture.failedFuture(
            new OverloadedException("model '" + model + "' is shutting down"));
      }
      if (queue.size() >= config.maxQueueSize()) {
        return CompletableFuture.failedFuture(
            new OverloadedException(
                "model '" + model + "' is overloaded: " + queue.size() + " requests queued"));
      }
      String key = config.enabled() ? BatchTensors.batchKey(request) : null;
      queue.add(
          new PendingRequest(request, key, BatchTensors.rows(request), now, deadlineNanos, result));
    }
    dispatchDue();
    return result;
  }

  /** Tells the batcher a dispatched batch has finished, freeing its slot. */
  public void batchDone() {
    synchronized (this) {
      inFlight--;
    }
    dispatchDue();
  }

  /**
   * Answers the requests whose deadline has passed and dispatches every batch that is due now.
   *
   * @return the monotonic time at which something next becomes due, or {@link Long#MAX_VALUE}
   */
  public long dispatchDue() {
    List<Batch> ready = new ArrayList<>(1);
    List<PendingRequest> expired = new ArrayList<>(0);
    long next;
    synchronized (this) {
      next = collect(clock.monotonicNanos(), ready, expired);
      if (next < timerWakeNanos && timer != null) {
        timerWakeNanos = next;
        timer.wakeAt(this, next);
      }
    }
    for (PendingRequest p : expired) {
      p.result()
          .completeExceptionally(
              new DeadlineExceededException(
                  "model '"
                      + model
                      + "': the request's deadline passed after "
                      + (clock.monotonicNanos() - p.enqueuedNanos()) / 1_000_000
                      + " ms in the queue; it was not run"));
    }
    for (Batch b : ready) {
      dispatcher.accept(b);
    }
    return next;
  }

  private long collect(long now, List<Batch> ready, List<PendingRequest> expired) {
    if (!queue.isEmpty()) {
      queue.removeIf(
          p -> {
            if (p.deadlineNanos() <= now) {
              expired.add(p);
              return true;
            }
            return false;
          });
    }
    long next = Long.MAX_VALUE;
    while (inFlight < maxInFlight && !queue.isEmpty()) {
      PendingRequest head = queue.get(0);
      List<PendingRequest> members = new ArrayList<>();
      members.add(head);
      int rows = head.rows();
      for (int i = 1; i < queue.size() && rows < config.maxBatchSize(); i++) {
        PendingRequest p = queue.get(i);
        if (p.joins(head) && rows + p.rows() <= config.maxBatchSize()) {
          members.add(p);
          rows += p.rows();
        }
      }
      boolean due =
          !config.enabled()
              || head.key() == null
              || rows >= config.maxBatchSize()
              || config.preferredBatchSizes().contains(rows)
              || head.enqueuedNanos() + delayNanos <= now;
      if (!due) {
        next = head.enqueuedNanos() + delayNanos;
        break;
      }
      if (members.size() == 1) {
        queue.remove(0);
      } else {
        Set<PendingRequest> taken = Collections.newSetFromMap(new IdentityHashMap<>());
        taken.addAll(members);
        queue.removeIf(taken::contains);
      }
      inFlight++;
      ready.add(new Batch(members, rows, now));
    }
    for (PendingRequest p : queue) {
      next = Math.min(next, p.deadlineNanos());
    }
    return next;
  }

  /** Requests waiting. */
  public synchronized int queued() {
    return queue.size();
  }

  /** Batches running. */
  public synchronized int inFlight() {
    return inFlight;
  }

  /**
   * Attaches the timer (shared with the other batchers of the process or host) that dispatches
   * batches whose queue delay ends, and answers deadlines, when no request arrives or finishes to
   * do it. Closing this batcher leaves the timer running for the others.
   */
  public void start(BatchTimer shared) {
    synchronized (this) {
      if (timer != null || closed) {
        return;
      }
      timer = shared;
    }
    dispatchDue();
  }

  /** The timer's wake: what was asked of it has fired. */
  void timerFired() {
    synchronized (this) {
      timerWakeNanos = Long.MAX_VALUE;
    }
    dispatchDue();
  }

  String model() {
    return model;
  }

  /** Stops accepting requests and fails those still queued with {@link OverloadedException}. */
  @Override
  public void close() {
    List<PendingRequest> left;
    BatchTimer t;
    synchronized (this) {
      closed = true;
      left = new ArrayList<>(queue);
      queue.clear();
      t = timer;
    }
    if (t != null) {
      t.forget(this);
    }
    for (PendingRequest p : left) {
      p.result()
          .completeExceptionally(new OverloadedException("model '" + model + "' is shutting down"));
    }
  }
}
