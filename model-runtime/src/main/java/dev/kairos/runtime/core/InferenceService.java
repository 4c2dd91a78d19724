package dev.kairos.runtime.core;

import dev.kairos.runtime.engine.EngineException;
import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.oip.InvalidInputException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Runs one model version's requests on a bounded pool, off the event loop. Knows nothing of HTTP:
 * the server maps its exceptions to status codes.
 */
public final class InferenceService implements AutoCloseable {
  private final String model;
  private final String version;
  private final LoadedModel loaded;
  private final ThreadPoolExecutor pool;

  /**
   * @param workers threads that run requests (decode, validate, infer, encode)
   * @param maxQueue requests waiting beyond this are rejected with {@link OverloadedException}
   */
  public InferenceService(
      String model, String version, LoadedModel loaded, int workers, int maxQueue) {
    this.model = model;
    this.version = version;
    this.loaded = loaded;
    AtomicInteger n = new AtomicInteger();
    this.pool =
        new ThreadPoolExecutor(
            workers,
            workers,
            0,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(maxQueue),
            r -> {
              Thread t = new Thread(r, "infer-" + model + "-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  public String model() {
    return model;
  }

  public String version() {
    return version;
  }

  public LoadedModel loaded() {
    return loaded;
  }

  /**
   * Runs a task on the inference pool.
   *
   * @return a future failed with {@link OverloadedException} when the queue is full
   */
  public <T> CompletableFuture<T> submit(Supplier<T> task) {
    try {
      return CompletableFuture.supplyAsync(task, pool);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(
          new OverloadedException(
              "model '"
                  + model
                  + "' is overloaded: "
                  + pool.getQueue().size()
                  + " requests queued"));
    }
  }

  /**
   * Validates and runs a request on the calling thread, stamping the response with this model's
   * identity and the request id.
   */
  public InferenceResponse infer(InferenceRequest request) {
    loaded.signature().validate(request);
    InferenceResponse response;
    try {
      response = loaded.infer(request);
    } catch (InvalidInputException | EngineException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new EngineException(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
    return response.withIdentity(model, version, request.id());
  }

  @Override
  public void close() {
    pool.shutdown();
    try {
      pool.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    loaded.close();
  }
}
