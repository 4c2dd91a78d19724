package dev.kairos.runtime.batch;

import dev.kairos.sdk.time.Clock;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that wakes batchers when their next batch or deadline falls due and nothing else wakes
 * them (no request arrives, no batch finishes). A replica's batcher has one of its own; the models
 * of a runtime host share one, so a model's load starts no timer thread.
 *
 * <p>Due times are read on the injected {@link Clock}; the thread parks at most a second at a time,
 * so a clock moved by hand (tests) is noticed.
 */
public final class BatchTimer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BatchTimer.class);
  private static final long MAX_PARK_NANOS = 1_000_000_000L;

  private record Wake(long atNanos, long order, DynamicBatcher batcher) {}

  private final Clock clock;
  private final Thread thread;

  // guarded by this
  private final PriorityQueue<Wake> wakes =
      new PriorityQueue<>(Comparator.comparingLong(Wake::atNanos).thenComparingLong(Wake::order));
  private long order;
  private boolean closed;

  /** Starts the timer's thread, named {@code name}. */
  public BatchTimer(Clock clock, String name) {
    this.clock = clock;
    this.thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Asks for {@link DynamicBatcher#timerFired()} at monotonic time {@code atNanos}. A wake that was
   * asked for earlier stays: a batcher woken when nothing is due finds nothing to do.
   */
  void wakeAt(DynamicBatcher batcher, long atNanos) {
    boolean earliest;
    synchronized (this) {
      if (closed) {
        return;
      }
      Wake w = new Wake(atNanos, order++, batcher);
      wakes.add(w);
      earliest = wakes.peek() == w;
    }
    if (earliest) {
      LockSupport.unpark(thread);
    }
  }

  /** Drops a closed batcher's wakes. */
  synchronized void forget(DynamicBatcher batcher) {
    wakes.removeIf(w -> w.batcher() == batcher);
  }

  /**
   * Parks rather than {@code Object.wait}: a timed wait on a monitor counts whole milliseconds,
   * coarse against a queue delay of a millisecond or two. A permit given by {@link
   * LockSupport#unpark} between reading the next due time and parking is kept, so no wake-up is
   * lost.
   */
  private void run() {
    while (true) {
      DynamicBatcher due = null;
      long wait = MAX_PARK_NANOS;
      synchronized (this) {
        if (closed) {
          return;
        }
        Wake next = wakes.peek();
        if (next != null) {
          long left = next.atNanos() - clock.monotonicNanos();
          if (left <= 0) {
            due = wakes.poll().batcher();
          } else {
            wait = Math.min(left, MAX_PARK_NANOS);
          }
        }
      }
      if (due != null) {
        try {
          due.timerFired();
        } catch (RuntimeException e) {
          // one model's failure must not stop the others' batches
          log.error("batcher of model '{}' failed on its timer", due.model(), e);
        }
        continue;
      }
      LockSupport.parkNanos(this, wait);
    }
  }

  /** Stops the thread; wakes not yet due are dropped. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      wakes.clear();
    }
    LockSupport.unpark(thread);
  }
}
