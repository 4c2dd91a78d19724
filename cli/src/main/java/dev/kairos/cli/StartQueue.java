package dev.kairos.cli;

import java.util.EnumMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Every replica start of {@code kairos serve} waits here for its turn: the start whose model has
 * waited longest (the oldest request held for it, else when the start was asked for) goes first,
 * and at most a bounded number run at once. Process starts and loads into running hosts are
 * separate lanes with their own bounds, so a load that takes milliseconds never waits behind JVM
 * starts. A process start also waits while the machine has no memory for another process ({@link
 * MemoryAdmission}); it is looked at again when a start ends and on a short timer.
 */
final class StartQueue {
  /** Which kind of start, each with its own bound. */
  enum Lane {
    PROCESS,
    HOST
  }

  private static final long RECHECK_MILLIS = 250;

  private record Entry(long waitingSince, long seq, Runnable run) {}

  private final Map<Lane, Integer> slots = new EnumMap<>(Lane.class);
  private final Map<Lane, Integer> running = new EnumMap<>(Lane.class);
  private final Map<Lane, PriorityQueue<Entry>> waiting = new EnumMap<>(Lane.class);
  private final BooleanSupplier processFits;
  private final ScheduledExecutorService timer;
  private long seq;
  private boolean recheckPending;

  /**
   * @param processSlots process starts at once (at least 1)
   * @param hostSlots loads into hosts at once (at least 1)
   * @param processFits whether the machine has room for one more process now
   * @param timer looks at a start held back for memory again
   */
  StartQueue(
      int processSlots,
      int hostSlots,
      BooleanSupplier processFits,
      ScheduledExecutorService timer) {
    if (processSlots < 1 || hostSlots < 1) {
      throw new IllegalArgumentException(
          "concurrent starts = " + processSlots + "/" + hostSlots + ", must be >= 1");
    }
    slots.put(Lane.PROCESS, processSlots);
    slots.put(Lane.HOST, hostSlots);
    for (Lane l : Lane.values()) {
      running.put(l, 0);
      waiting.put(
          l,
          new PriorityQueue<>(
              java.util.Comparator.comparingLong(Entry::waitingSince)
                  .thenComparingLong(Entry::seq)));
    }
    this.processFits = processFits;
    this.timer = timer;
  }

  /**
   * Queues a start.
   *
   * @param waitingSinceNanos when the oldest request for this model began to wait (monotonic), or
   *     now when none waits: the order of the queue
   * @param start begins the start when its turn comes; its stage ends the turn
   * @return completes as the start's stage does
   */
  <T> CompletableFuture<T> submit(
      Lane lane, long waitingSinceNanos, Supplier<CompletableFuture<T>> start) {
    CompletableFuture<T> out = new CompletableFuture<>();
    Runnable run =
        () -> {
          CompletableFuture<T> stage;
          try {
            stage = start.get();
          } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
          }
          stage.whenComplete(
              (v, e) -> {
                finished(lane);
                if (e != null) {
                  out.completeExceptionally(e);
                } else {
                  out.complete(v);
                }
              });
        };
    synchronized (this) {
      waiting.get(lane).add(new Entry(waitingSinceNanos, seq++, run));
    }
    dispatch();
    return out;
  }

  /** Starts waiting in a lane. */
  synchronized int waiting(Lane lane) {
    return waiting.get(lane).size();
  }

  /** Starts running in a lane. */
  synchronized int running(Lane lane) {
    return running.get(lane);
  }

  /** Looks at the queue again (memory may have been freed). */
  void poke() {
    dispatch();
  }

  private synchronized void finishedLocked(Lane lane) {
    running.put(lane, running.get(lane) - 1);
  }

  private void finished(Lane lane) {
    finishedLocked(lane);
    dispatch();
  }

  private void dispatch() {
    while (true) {
      Runnable next = null;
      synchronized (this) {
        for (Lane lane : Lane.values()) {
          PriorityQueue<Entry> q = waiting.get(lane);
          if (q.isEmpty() || running.get(lane) >= slots.get(lane)) {
            continue;
          }
          if (lane == Lane.PROCESS && !processFits.getAsBoolean()) {
            recheckLater();
            continue;
          }
          next = q.poll().run();
          running.put(lane, running.get(lane) + 1);
          break;
        }
      }
      if (next == null) {
        return;
      }
      next.run();
    }
  }

  private void recheckLater() {
    if (recheckPending || timer == null) {
      return;
    }
    recheckPending = true;
    timer.schedule(
        () -> {
          synchronized (this) {
            recheckPending = false;
          }
          dispatch();
        },
        RECHECK_MILLIS,
        TimeUnit.MILLISECONDS);
  }
}
