package dev.kairos.runtime.host;

import dev.kairos.runtime.core.OverloadedException;
import dev.kairos.sdk.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models a host holds and the memory they take against its budget: the loaded ones (routed to)
 * and the loads in progress (reserved). Every decision to evict is made here, under one monitor, by
 * {@link EvictionDecider}; models chosen are taken out of routing at once and handed back to be
 * closed outside it.
 */
final class HostMemory {
  private static final Logger log = LoggerFactory.getLogger(HostMemory.class);

  private final long budget;
  private final Clock clock;
  private final Map<ModelKey, HostedModel> loaded = new ConcurrentHashMap<>();
  // guarded by this: memory promised to loads in progress
  private final Map<ModelKey, Long> reserved = new HashMap<>();

  HostMemory(long budget, Clock clock) {
    this.budget = budget;
    this.clock = clock;
  }

  HostedModel get(ModelKey key) {
    return loaded.get(key);
  }

  Collection<HostedModel> models() {
    return loaded.values();
  }

  synchronized Map<ModelKey, Long> reservations() {
    return Map.copyOf(reserved);
  }

  /** The bytes the loaded models' footprints and the loads in progress take together. */
  synchronized long usedBytes() {
    return residents().stream().mapToLong(Resident::bytes).sum();
  }

  /**
   * What making room did.
   *
   * @param fits whether the load has its room (reserved or placed)
   * @param retired the models taken out of routing, for the caller to close (even when it does not
   *     fit: a model chosen by an earlier plan may have gone before a busy one stopped it)
   */
  record Room(boolean fits, List<HostedModel> retired) {}

  /** Reserves {@code bytes} for a load, retiring what must go to make room. */
  synchronized Room reserve(ModelKey key, long bytes) {
    Room room = retireForSpace(key, bytes);
    if (room.fits()) {
      reserved.put(key, bytes);
    }
    return room;
  }

  synchronized void unreserve(ModelKey key) {
    reserved.remove(key);
  }

  /**
   * Replaces a load's reservation by the loaded model at its measured footprint, retiring what must
   * go for it; when it does not fit it is not placed. The version it replaces, if any, is the
   * caller's to close.
   */
  synchronized Room place(HostedModel hosted) {
    ModelKey key = hosted.key();
    reserved.remove(key);
    Room room = retireForSpace(key, hosted.footprint().bytes());
    if (room.fits()) {
      loaded.put(key, hosted);
    }
    return room;
  }

  /** Retires the models idle for at least {@code idleAfter}. */
  synchronized List<HostedModel> retireIdle(Duration idleAfter) {
    return retire(EvictionDecider.idle(residents(), clock.monotonicNanos(), idleAfter));
  }

  /** Takes a model out of routing whether busy or not (an explicit unload). */
  HostedModel remove(ModelKey key) {
    return loaded.remove(key);
  }

  List<HostedModel> removeAll() {
    List<HostedModel> all = new ArrayList<>(loaded.values());
    loaded.clear();
    return all;
  }

  /**
   * Retires the models that must go for {@code bytes} to fit. A model that takes a request between
   * the decision and its retirement is kept, and the decision is made again without it.
   */
  private Room retireForSpace(ModelKey key, long bytes) {
    List<HostedModel> retired = new ArrayList<>();
    while (true) {
      List<Resident> residents = residents();
      residents.removeIf(r -> r.key().equals(key));
      EvictionPlan plan = EvictionDecider.forSpace(residents, budget, bytes);
      if (!plan.fits()) {
        if (!retired.isEmpty()) {
          log.info("evicted {} models and still no room for {}", retired.size(), key);
        }
        return new Room(false, retired);
      }
      List<HostedModel> step = retire(plan.evict());
      retired.addAll(step);
      if (step.size() == plan.evict().size()) {
        return new Room(true, retired);
      }
    }
  }

  /** Takes the named models out of routing if they are idle; returns those it took. */
  private List<HostedModel> retire(List<ModelKey> keys) {
    List<HostedModel> out = new ArrayList<>();
    for (ModelKey k : keys) {
      HostedModel m = loaded.get(k);
      if (m != null && m.service().retireIfIdle()) {
        loaded.remove(k, m);
        out.add(m);
      }
    }
    return out;
  }

  private List<Resident> residents() {
    List<Resident> out = new ArrayList<>();
    for (HostedModel m : loaded.values()) {
      out.add(m.resident());
    }
    long now = clock.monotonicNanos();
    reserved.forEach((k, bytes) -> out.add(new Resident(k, bytes, now, false)));
    return out;
  }

  OverloadedException noRoom(ModelKey key, long bytes) {
    return new OverloadedException(
        "no room for model '"
            + key.model()
            + "' version "
            + key.version()
            + " ("
            + HostConfig.mib(bytes)
            + "): the host's budget of "
            + HostConfig.mib(budget)
            + " is held by models with requests in flight or loading");
  }
}
