package dev.kairos.gateway.resilience;

import java.util.ArrayDeque;

/**
 * A model's bulkhead: at most {@code maxInFlight} requests forwarded at once, at most {@code
 * maxQueued} waiting for a slot, in arrival order. Never blocks: a waiter is a callback run when a
 * slot frees up. The limits are passed on each call so they can change at run time.
 */
public final class ModelGate {
  /** What {@link #enter} did with a request. */
  public enum Entry {
    /** It holds a slot: forward it now. */
    ADMITTED,
    /** It waits; its callback runs when it gets a slot, unless {@link #cancel}led first. */
    QUEUED,
    /** Queue full: refuse it. */
    REJECTED
  }

  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private int inFlight;

  /** Takes a slot if one is free and nobody waits; never queues. */
  public synchronized boolean tryEnter(int maxInFlight) {
    if (inFlight < maxInFlight && waiting.isEmpty()) {
      inFlight++;
      return true;
    }
    return false;
  }

  /**
   * Asks for a slot.
   *
   * @param onAdmitted run (on the thread that frees the slot) when a queued request gets its slot
   */
  public synchronized Entry enter(int maxInFlight, int maxQueued, Runnable onAdmitted) {
    if (inFlight < maxInFlight && waiting.isEmpty()) {
      inFlight++;
      return Entry.ADMITTED;
    }
    if (waiting.size() < maxQueued) {
      waiting.addLast(onAdmitted);
      return Entry.QUEUED;
    }
    return Entry.REJECTED;
  }

  /**
   * Gives a slot back; the oldest waiter, if any, takes it over.
   *
   * @param maxInFlight the limit now in force (a lowered limit lets fewer waiters through)
   */
  public void leave(int maxInFlight) {
    Runnable next;
    synchronized (this) {
      if (!waiting.isEmpty() && inFlight <= maxInFlight) {
        next = waiting.pollFirst();
      } else {
        inFlight--;
        return;
      }
    }
    next.run();
  }

  /** Withdraws a waiter whose wait ran out; false if it already got its slot. */
  public synchronized boolean cancel(Runnable waiter) {
    return waiting.remove(waiter);
  }

  public synchronized int inFlight() {
    return inFlight;
  }

  public synchronized int queued() {
    return waiting.size();
  }
}
