package dev.kairos.gateway.route;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The replicas of one model version. Membership changes copy the array (rare); picking reads it
 * without locks (every request).
 */
public final class ReplicaSet {
  private volatile Replica[] replicas = new Replica[0];
  private long removedInFlightNanos; // guarded by this
  private final Runnable onAdded;

  public ReplicaSet() {
    this(() -> {});
  }

  /**
   * @param onAdded runs after each {@link #add}, on the adding thread, outside the set's lock
   */
  public ReplicaSet(Runnable onAdded) {
    this.onAdded = onAdded;
  }

  /** Adds a replica to routing; then tells whoever waits for one. */
  public void add(Replica r) {
    synchronized (this) {
      Replica[] next = java.util.Arrays.copyOf(replicas, replicas.length + 1);
      next[replicas.length] = r;
      replicas = next;
    }
    onAdded.run();
  }

  /** Removes a replica from routing; requests already sent to it complete normally. */
  public synchronized boolean remove(String id) {
    List<Replica> next = new ArrayList<>();
    for (Replica r : replicas) {
      if (!r.id().equals(id)) {
        next.add(r);
      } else {
        removedInFlightNanos += r.inFlightNanos();
      }
    }
    boolean removed = next.size() != replicas.length;
    replicas = next.toArray(Replica[]::new);
    return removed;
  }

  public List<Replica> all() {
    return List.of(replicas);
  }

  public int size() {
    return replicas.length;
  }

  /** Replicas that take new requests. */
  public int routable() {
    int n = 0;
    for (Replica r : replicas) {
      if (!r.draining()) {
        n++;
      }
    }
    return n;
  }

  /**
   * Whether no replica can take another inference: there is at least one that takes requests, and
   * every such replica holds its capacity.
   */
  public boolean full() {
    boolean any = false;
    for (Replica r : replicas) {
      if (!r.draining()) {
        if (!r.full()) {
          return false;
        }
        any = true;
      }
    }
    return any;
  }

  /** Sum of in-flight requests over all replicas. */
  public int inFlight() {
    int n = 0;
    for (Replica r : replicas) {
      n += r.inFlight();
    }
    return n;
  }

  /**
   * The in-flight time of every replica this set has held until now ({@link
   * Replica#inFlightNanos}): it never decreases as replicas come and go, so two readings give the
   * version's mean concurrency between them.
   */
  public synchronized long inFlightNanos() {
    long n = removedInFlightNanos;
    for (Replica r : replicas) {
      n += r.inFlightNanos();
    }
    return n;
  }

  /**
   * Chooses a replica by the power of two choices on in-flight requests: two at random, the less
   * loaded wins. Draining and full replicas, replicas whose breaker is open and {@code exclude} are
   * skipped.
   *
   * @return the replica, or null if none can take a request
   */
  public Replica pick(RandomGenerator random, Replica exclude) {
    Replica[] rs = replicas;
    int n = rs.length;
    if (n == 0) {
      return null;
    }
    if (n == 1) {
      Replica only = rs[0];
      return eligible(only, exclude) ? only : null;
    }
    int i = random.nextInt(n);
    int j = random.nextInt(n - 1);
    if (j >= i) {
      j++;
    }
    Replica a = rs[i];
    Replica b = rs[j];
    boolean okA = eligible(a, exclude);
    boolean okB = eligible(b, exclude);
    if (okA && okB) {
      return b.inFlight() < a.inFlight() ? b : a;
    }
    if (okA) {
      return a;
    }
    if (okB) {
      return b;
    }
    Replica best = null;
    for (Replica r : rs) {
      if (eligible(r, exclude) && (best == null || r.inFlight() < best.inFlight())) {
        best = r;
      }
    }
    return best;
  }

  private static boolean eligible(Replica r, Replica exclude) {
    return r != exclude && !r.draining() && !r.full() && !r.breakerOpen();
  }
}
