package dev.kairos.autoscaler.simulator;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The starts of one {@link Machine} during a replay, on its virtual clock: those waiting in the
 * order they were asked for, and those in progress sharing the machine's start capacity. Shared by
 * every model replayed on that machine; not thread-safe.
 */
final class StartQueue {
  private final Machine machine;
  private final double seconds;
  private final List<ModelReplay> waiting = new ArrayList<>();
  private final List<Start> running = new ArrayList<>();
  private double memoryUsed;
  private double rate = 1;

  /** A start in progress: when it ends at the current rate. */
  private static final class Start {
    final ModelReplay owner;
    double end;

    Start(ModelReplay owner, double end) {
      this.owner = owner;
      this.end = end;
    }
  }

  /**
   * @param seconds one start alone
   */
  StartQueue(Machine machine, double seconds) {
    this.machine = machine;
    this.seconds = seconds;
  }

  /** Asks for one replica of {@code owner}: it starts now if the machine lets it, or waits. */
  void request(ModelReplay owner, double now) {
    waiting.add(owner);
    admit(now);
  }

  /**
   * Withdraws up to {@code n} of {@code owner}'s starts, the latest asked first: waiting ones, then
   * those in progress.
   *
   * @return how many were withdrawn
   */
  int cancel(ModelReplay owner, int n, double now) {
    int left = n;
    for (int i = waiting.size() - 1; i >= 0 && left > 0; i--) {
      if (waiting.get(i) == owner) {
        waiting.remove(i);
        left--;
      }
    }
    boolean changed = false;
    for (int i = running.size() - 1; i >= 0 && left > 0; i--) {
      if (running.get(i).owner == owner) {
        running.remove(i);
        memoryUsed -= machine.replicaMb();
        left--;
        changed = true;
      }
    }
    if (changed) {
      rescale(now);
      admit(now);
    }
    return n - left;
  }

  /** {@code n} ready replicas were removed: their memory is free again. */
  void stopped(int n, double now) {
    if (n > 0 && machine.memoryMb() > 0) {
      memoryUsed -= n * machine.replicaMb();
      admit(now);
    }
  }

  /** When the next start in progress ends; infinity when none is. */
  double nextReady() {
    double t = Double.POSITIVE_INFINITY;
    for (int i = 0, n = running.size(); i < n; i++) {
      t = Math.min(t, running.get(i).end);
    }
    return t;
  }

  /** Ends the start that {@link #nextReady()} named and says whose replica is now ready. */
  ModelReplay completeNext(double now) {
    int at = 0;
    for (int i = 1; i < running.size(); i++) {
      if (running.get(i).end < running.get(at).end) {
        at = i;
      }
    }
    ModelReplay owner = running.remove(at).owner;
    rescale(now);
    admit(now);
    return owner;
  }

  /** Starts waiting ones while the concurrency limit and the memory allow, oldest first. */
  private void admit(double now) {
    int limit = machine.maxConcurrentStarts();
    boolean started = false;
    Iterator<ModelReplay> it = waiting.iterator();
    while (it.hasNext() && (limit == 0 || running.size() < limit)) {
      if (machine.memoryMb() > 0 && memoryUsed + machine.replicaMb() > machine.memoryMb() + 1e-9) {
        break; // the oldest waits for memory; nothing jumps the queue
      }
      ModelReplay owner = it.next();
      it.remove();
      memoryUsed += machine.replicaMb();
      running.add(new Start(owner, Double.NaN));
      started = true;
    }
    if (started) {
      rescale(now);
    }
  }

  /**
   * Moves every start in progress to the rate the machine gives it now: each progresses at {@code
   * capacity / starts} of full speed when there are more than the capacity.
   */
  private void rescale(double now) {
    double capacity = machine.startCapacity();
    double next = capacity <= 0 ? 1 : Math.min(1, capacity / Math.max(1, running.size()));
    for (Start s : running) {
      if (Double.isNaN(s.end)) {
        s.end = now + seconds / next;
      } else if (next != rate) {
        s.end = now + (s.end - now) * rate / next;
      }
    }
    rate = next;
  }
}
