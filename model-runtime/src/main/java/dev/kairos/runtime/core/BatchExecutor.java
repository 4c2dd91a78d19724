package dev.kairos.runtime.core;

import dev.kairos.multiplexer.arbiter.ArbiterClient;
import dev.kairos.multiplexer.arbiter.DeviceLease;
import dev.kairos.multiplexer.arbiter.SliceRequest;
import dev.kairos.runtime.batch.Batch;
import dev.kairos.runtime.batch.PendingRequest;
import dev.kairos.runtime.engine.EngineException;
import dev.kairos.runtime.metrics.RuntimeMetrics;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.oip.InvalidInputException;
import dev.kairos.sdk.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one batch on the engine under the device arbiter's leases, splits and delivers the answers.
 *
 * <p>On a shared device the arbiter may cap how long a lease should hold the device (so that a
 * light model waits at most one slice behind a heavy one). A batch whose estimated run time exceeds
 * the cap is run in parts, each under its own lease, as many requests per part as the cap allows
 * (always at least one: a request is never split). When a part of several requests fails on bad
 * input, each of its requests is run alone, so one client's mistake is not everyone's.
 */
final class BatchExecutor {
  /** The per-row cost assumed before the first batch has been timed. */
  static final long INITIAL_NANOS_PER_ROW = 1_000_000;

  private final String model;
  private final LoadedModelHolder loaded;
  private final ArbiterClient arbiter;
  private final Clock clock;
  private final RuntimeMetrics metrics;
  private final int priority;
  private volatile long nanosPerRow = INITIAL_NANOS_PER_ROW;

  BatchExecutor(
      String model,
      LoadedModelHolder loaded,
      ArbiterClient arbiter,
      Clock clock,
      RuntimeMetrics metrics,
      int priority) {
    this.model = model;
    this.loaded = loaded;
    this.arbiter = arbiter;
    this.clock = clock;
    this.metrics = metrics;
    this.priority = priority;
  }

  void run(Batch batch) {
    long start = clock.monotonicNanos();
    List<PendingRequest> pending = batch.requests();
    for (PendingRequest p : pending) {
      metrics.queued(start - p.enqueuedNanos());
    }
    int from = 0;
    while (from < pending.size()) {
      from = runPart(pending, from, batch.deadlineNanos());
    }
  }

  /**
   * Runs requests from index {@code from} under one lease, as many as fit its cap.
   *
   * @return the index after the last request this part completed (or failed)
   */
  private int runPart(List<PendingRequest> pending, int from, long deadlineNanos) {
    int rows = 0;
    for (int i = from; i < pending.size(); i++) {
      rows += pending.get(i).rows();
    }
    long perRow = nanosPerRow;
    DeviceLease lease;
    try {
      lease = arbiter.acquire(new SliceRequest(model, perRow * rows, priority, deadlineNanos));
    } catch (RuntimeException e) {
      failAll(pending.subList(from, pending.size()), e);
      return pending.size();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failAll(pending.subList(from, pending.size()), shuttingDown());
      return pending.size();
    }
    try (lease) {
      int to = fit(pending, from, lease.sliceCapNanos(), perRow);
      List<PendingRequest> part = pending.subList(from, to);
      try {
        List<InferenceResponse> responses = infer(part);
        for (int i = 0; i < responses.size(); i++) {
          part.get(i).result().complete(responses.get(i));
        }
      } catch (InvalidInputException e) {
        if (part.size() == 1) {
          part.get(0).result().completeExceptionally(e);
        } else {
          part.forEach(this::runAlone);
        }
      } catch (RuntimeException e) {
        failAll(part, e);
      }
      return to;
    }
  }

  /** The end of the longest run of requests from {@code from} whose estimate fits {@code cap}. */
  private static int fit(List<PendingRequest> pending, int from, long capNanos, long perRow) {
    if (capNanos == Long.MAX_VALUE) {
      return pending.size();
    }
    long budgetRows = Math.max(1, capNanos / Math.max(1, perRow));
    int to = from + 1;
    long rows = pending.get(from).rows();
    while (to < pending.size() && rows + pending.get(to).rows() <= budgetRows) {
      rows += pending.get(to).rows();
      to++;
    }
    return to;
  }

  /** Runs one request on its own, inside the lease its part already holds. */
  private void runAlone(PendingRequest p) {
    try {
      p.result().complete(infer(List.of(p)).get(0));
    } catch (RuntimeException e) {
      p.result().completeExceptionally(wrap(e));
    }
  }

  private List<InferenceResponse> infer(List<PendingRequest> part) {
    List<InferenceRequest> requests = new ArrayList<>(part.size());
    int rows = 0;
    for (PendingRequest p : part) {
      requests.add(p.request());
      rows += p.rows();
    }
    long start = clock.monotonicNanos();
    List<InferenceResponse> out = loaded.use(m -> m.inferBatch(requests));
    long took = clock.monotonicNanos() - start;
    nanosPerRow = Math.max(1, (nanosPerRow * 7 + took / Math.max(1, rows)) / 8);
    metrics.computed(took, rows);
    if (out.size() != requests.size()) {
      throw new EngineException(
          "engine answered " + out.size() + " responses for " + requests.size() + " requests",
          null);
    }
    return out;
  }

  private OverloadedException shuttingDown() {
    return new OverloadedException("model '" + model + "' is shutting down");
  }

  private static void failAll(List<PendingRequest> part, RuntimeException e) {
    RuntimeException err = wrap(e);
    for (PendingRequest p : part) {
      p.result().completeExceptionally(err);
    }
  }

  private static RuntimeException wrap(RuntimeException e) {
    if (e instanceof EngineException
        || e instanceof InvalidInputException
        || e instanceof OverloadedException
        || e instanceof UnknownModelException
        || e instanceof NotReadyException
        || e instanceof dev.kairos.multiplexer.arbiter.SliceRejectedException) {
      return e;
    }
    return new EngineException(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
  }
}
