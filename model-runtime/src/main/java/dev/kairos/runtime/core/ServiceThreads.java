package dev.kairos.runtime.core;

import dev.kairos.runtime.batch.BatchTimer;
import dev.kairos.sdk.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads an {@link InferenceService} runs on: its codec tasks (decode, encode), its batches,
 * and the timer of its batcher. A replica's service has its own, started with the model. The models
 * of a runtime host share the host's ({@link #shared}): loading a model then starts no thread, and
 * a thread idle in one model serves the next. Either way each model runs no more codec tasks or
 * batches at once than its {@link WorkerConfig} says, and queues no more than its batching config
 * allows ({@link ModelLane}).
 */
public final class ServiceThreads implements AutoCloseable {
  /** How long a shared thread nobody has used stays. */
  private static final long IDLE_SECONDS = 60;

  private final ExecutorService codec;
  private final ExecutorService compute;
  private final BatchTimer timer;

  private ServiceThreads(ExecutorService codec, ExecutorService compute, BatchTimer timer) {
    this.codec = codec;
    this.compute = compute;
    this.timer = timer;
  }

  /** A replica's: the pools' threads and the batcher's timer start now, with the model. */
  static ServiceThreads dedicated(String model, WorkerConfig workers, Clock clock) {
    ThreadPoolExecutor codec = fixed(workers.codecThreads(), "codec-" + model);
    ThreadPoolExecutor compute = fixed(workers.computeThreads(), "infer-" + model);
    codec.prestartAllCoreThreads();
    compute.prestartAllCoreThreads();
    return new ServiceThreads(codec, compute, new BatchTimer(clock, "batcher-" + model));
  }

  /**
   * A runtime host's, for all its models: threads made when a model needs one more than are idle,
   * kept for a minute once idle, and one batch timer.
   */
  public static ServiceThreads shared(Clock clock) {
    return new ServiceThreads(
        cached("codec-host"), cached("infer-host"), new BatchTimer(clock, "batcher-host"));
  }

  private static ThreadPoolExecutor fixed(int threads, String prefix) {
    return new ThreadPoolExecutor(
        threads, threads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), named(prefix));
  }

  private static ThreadPoolExecutor cached(String prefix) {
    return new ThreadPoolExecutor(
        0,
        Integer.MAX_VALUE,
        IDLE_SECONDS,
        TimeUnit.SECONDS,
        new SynchronousQueue<>(),
        named(prefix));
  }

  private static ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  ExecutorService codec() {
    return codec;
  }

  ExecutorService compute() {
    return compute;
  }

  BatchTimer timer() {
    return timer;
  }

  /** Stops the threads once the tasks given to them have run. */
  @Override
  public void close() {
    timer.close();
    codec.shutdown();
    compute.shutdown();
  }
}
