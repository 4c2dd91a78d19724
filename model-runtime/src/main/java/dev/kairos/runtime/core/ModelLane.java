package dev.kairos.runtime.core;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model's share of threads it need not own: at most {@code limit} of its tasks run at once on
 * the pool underneath, at most {@code queueLimit} wait their turn, and the rest are refused. A task
 * that finishes hands its thread to the model's next waiting task, so a model keeps the budget its
 * {@link WorkerConfig} gives it, however busy the other models of its host are.
 */
final class ModelLane implements Executor {
  private static final Logger log = LoggerFactory.getLogger(ModelLane.class);

  private final String name;
  private final Executor pool;
  private final int limit;
  private final int queueLimit;

  // guarded by this
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private int running;
  private boolean shutdown;

  ModelLane(String name, Executor pool, int limit, int queueLimit) {
    if (limit < 1 || queueLimit < 0) {
      throw new IllegalArgumentException(
          name + ": limit = " + limit + ", queueLimit = " + queueLimit + ", must be >= 1 and >= 0");
    }
    this.name = name;
    this.pool = pool;
    this.limit = limit;
    this.queueLimit = queueLimit;
  }

  /**
   * @throws RejectedExecutionException after {@link #shutdown()}, or when {@code limit} tasks run
   *     and {@code queueLimit} wait
   */
  @Override
  public void execute(Runnable task) {
    synchronized (this) {
      if (shutdown) {
        throw new RejectedExecutionException(name + " is shut down");
      }
      if (running >= limit) {
        if (waiting.size() >= queueLimit) {
          throw new RejectedExecutionException(name + ": " + waiting.size() + " tasks waiting");
        }
        waiting.add(task);
        return;
      }
      running++;
    }
    try {
      pool.execute(() -> runFrom(task));
    } catch (RejectedExecutionException e) {
      finished();
      throw e;
    }
  }

  private void runFrom(Runnable first) {
    Runnable task = first;
    while (task != null) {
      boolean returned = false;
      try {
        task.run();
        returned = true;
      } catch (RuntimeException e) {
        returned = true;
        log.error("{}: a task failed", name, e);
      } finally {
        if (!returned) {
          // an Error: the slot is given back, the waiting tasks go on on another thread
          finished();
          restartWaiting();
        }
      }
      task = next();
    }
  }

  /** The next waiting task for this thread, or null having given the slot back. */
  private synchronized Runnable next() {
    Runnable task = waiting.poll();
    if (task == null) {
      running--;
      if (running == 0) {
        notifyAll();
      }
    }
    return task;
  }

  private synchronized void finished() {
    running--;
    if (running == 0 && waiting.isEmpty()) {
      notifyAll();
    }
  }

  private void restartWaiting() {
    Runnable task;
    synchronized (this) {
      if (running >= limit || waiting.isEmpty()) {
        return;
      }
      task = waiting.poll();
      running++;
    }
    try {
      pool.execute(() -> runFrom(task));
    } catch (RejectedExecutionException e) {
      finished();
    }
  }

  /** Refuses new tasks; those running and waiting still run. */
  synchronized void shutdown() {
    shutdown = true;
  }

  /** Waits until no task of this lane runs or waits. */
  synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (running > 0 || !waiting.isEmpty()) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  /** Tasks waiting for a thread. */
  synchronized int waiting() {
    return waiting.size();
  }
}
