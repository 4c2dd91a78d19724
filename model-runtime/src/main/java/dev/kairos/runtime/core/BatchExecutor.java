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
 * Runs one batch on the engine: asks the device's arbiter for a slice, calls the engine, splits and
 * delivers the answers. When a batch of several requests fails on bad input, each request is run
 * alone, so one client's mistake is not everyone's.
 */
final class BatchExecutor {
  private final String model;
  private final LoadedModelHolder loaded;
  private final ArbiterClient arbiter;
  private final Clock clock;
  private final RuntimeMetrics metrics;
  private final int priority;
  private volatile long estimatedNanos = 1_000_000;

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
    for (PendingRequest p : batch.requests()) {
      metrics.queued(start - p.enqueuedNanos());
    }
    List<InferenceRequest> requests = new ArrayList<>(batch.requests().size());
    for (PendingRequest p : batch.requests()) {
      requests.add(p.request());
    }
    try {
      List<InferenceResponse> responses = compute(requests, batch.rows(), batch.deadlineNanos());
      for (int i = 0; i < responses.size(); i++) {
        batch.requests().get(i).result().complete(responses.get(i));
      }
    } catch (InvalidInputException e) {
      if (requests.size() == 1) {
        batch.requests().get(0).result().completeExceptionally(e);
      } else {
        for (PendingRequest p : batch.requests()) {
          runAlone(p);
        }
      }
    } catch (RuntimeException e) {
      failAll(batch, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failAll(batch, new OverloadedException("model '" + model + "' is shutting down"));
    }
  }

  private void runAlone(PendingRequest p) {
    try {
      p.result().complete(compute(List.of(p.request()), p.rows(), p.deadlineNanos()).get(0));
    } catch (RuntimeException e) {
      p.result().completeExceptionally(wrap(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.result()
          .completeExceptionally(new OverloadedException("model '" + model + "' is shutting down"));
    }
  }

  private List<InferenceResponse> compute(
      List<InferenceRequest> requests, int rows, long deadlineNanos) throws InterruptedException {
    try (DeviceLease lease =
        arbiter.acquire(new SliceRequest(model, estimatedNanos, priority, deadlineNanos))) {
      long start = clock.monotonicNanos();
      List<InferenceResponse> out = loaded.use(m -> m.inferBatch(requests));
      long took = clock.monotonicNanos() - start;
      estimatedNanos = (estimatedNanos * 7 + took) / 8;
      metrics.computed(took, rows);
      if (out.size() != requests.size()) {
        throw new EngineException(
            "engine answered " + out.size() + " responses for " + requests.size() + " requests",
            null);
      }
      return out;
    }
  }

  private void failAll(Batch batch, RuntimeException e) {
    RuntimeException err = wrap(e);
    for (PendingRequest p : batch.requests()) {
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
