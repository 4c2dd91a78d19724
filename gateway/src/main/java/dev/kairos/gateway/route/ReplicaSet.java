package dev.kairos.gateway.route;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The replicas of one model version. Membership changes copy the array (rare); picking reads it
 * without locks (every request).
 */
public final class ReplicaSet {
  private volatile Replica[] replicas = new Replica[0];

  public synchronized void add(Replica r) {
    Replica[] next = java.util.Arrays.copyOf(replicas, replicas.length + 1);
    next[replicas.length] = r;
    replicas = next;
  }

  /** Removes a replica from routing; requests already sent to it complete normally. */
  public synchronized boolean remove(String id) {
    List<Replica> next = new ArrayList<>();
    for (Replica r : replicas) {
      if (!r.id().equals(id)) {
        next.add(r);
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

  /** Sum of in-flight requests over all replicas. */
  public int inFlight() {
    int n = 0;
    for (Replica r : replicas) {
      n += r.inFlight();
    }
    return n;
  }

  /**
   * Chooses a replica by the power of two choices on in-flight requests: two at random, the less
   * loaded wins. Draining replicas are skipped.
   */
  public Optional<Replica> pick(RandomGenerator random) {
    Replica[] rs = replicas;
    int n = rs.length;
    if (n == 0) {
      return Optional.empty();
    }
    if (n == 1) {
      return rs[0].draining() ? Optional.empty() : Optional.of(rs[0]);
    }
    int i = random.nextInt(n);
    int j = random.nextInt(n - 1);
    if (j >= i) {
      j++;
    }
    Replica a = rs[i];
    Replica b = rs[j];
    if (a.draining() || (!b.draining() && b.inFlight() < a.inFlight())) {
      a = b;
    }
    if (!a.draining()) {
      return Optional.of(a);
    }
    Replica best = null;
    for (Replica r : rs) {
      if (!r.draining() && (best == null || r.inFlight() < best.inFlight())) {
        best = r;
      }
    }
    return Optional.ofNullable(best);
  }
}
