package dev.kairos.cli;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idle runtime processes, warmed up without a model, that take one on assignment: a replica started
 * from the pool skips the JVM's start and warm-up, which is most of a cold start. The pool refills
 * itself in the background after each assignment.
 *
 * <p>Its size follows demand: as many standbys as process starts that requests waited for were
 * asked for recently ({@link ColdStartRate}), between a floor and a ceiling, and never one the
 * machine has no memory for ({@link MemoryAdmission}). Standbys beyond the size are stopped when it
 * shrinks.
 */
final class WarmPool implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WarmPool.class);

  private final int floor;
  private final int ceiling;
  private final ReplicaCommand command;
  private final ColdStartRate demand;
  private final java.util.function.BooleanSupplier fits;
  private final ArrayDeque<RuntimeProcess> idle = new ArrayDeque<>();
  private boolean closed;

  /** A pool of a fixed size. */
  WarmPool(int size, ReplicaCommand command) {
    this(
        size,
        size,
        command,
        new ColdStartRate(dev.kairos.sdk.time.Clock.system(), java.time.Duration.ofMinutes(1)),
        () -> true);
  }

  /**
   * @param floor standbys kept however quiet it is
   * @param ceiling standbys kept however busy it is
   * @param demand the process starts asked for recently
   * @param fits whether the machine has memory for one more process now
   */
  WarmPool(
      int floor,
      int ceiling,
      ReplicaCommand command,
      ColdStartRate demand,
      java.util.function.BooleanSupplier fits) {
    if (floor < 0 || ceiling < floor) {
      throw new IllegalArgumentException(
          "warm pool " + floor + ".." + ceiling + ": must be 0 <= floor <= ceiling");
    }
    this.floor = floor;
    this.ceiling = ceiling;
    this.command = command;
    this.demand = demand;
    this.fits = fits;
    refill();
  }

  /** The number of standbys wanted now. */
  int size() {
    return demand.poolSize(floor, ceiling);
  }

  /**
   * A warmed-up standby process, or empty when none is ready (the caller starts a fresh one). Hand
   * it a model with {@link RuntimeProcess#assign}.
   */
  synchronized Optional<RuntimeProcess> take() {
    RuntimeProcess found = null;
    for (RuntimeProcess p : idle) {
      if (p.standbyReady().isDone()
          && !p.standbyReady().isCompletedExceptionally()
          && p.isAlive()) {
        found = p;
        break;
      }
    }
    idle.removeIf(p -> p.standbyReady().isCompletedExceptionally() || !p.isAlive());
    if (found != null) {
      idle.remove(found);
    }
    refill();
    return Optional.ofNullable(found);
  }

  /**
   * A process is being started for a request that waits for it (scale from zero): the demand the
   * pool grows with. Starts nobody waits for (serve's start, scale-up) do not grow it.
   */
  void coldStart() {
    demand.record();
  }

  /** Standby processes started and not handed out. */
  synchronized int idle() {
    return idle.size();
  }

  /** Grows or shrinks the pool to the size demand asks for now; called on a timer. */
  void resize() {
    List<RuntimeProcess> extra = new java.util.ArrayList<>();
    synchronized (this) {
      int size = size();
      while (idle.size() > size) {
        extra.add(idle.removeLast());
      }
      refill();
    }
    extra.forEach(p -> p.stopAsync(2_000));
  }

  private synchronized void refill() {
    int size = size();
    while (!closed && idle.size() < size && fits.getAsBoolean()) {
      try {
        idle.add(RuntimeProcess.standby(command));
      } catch (IOException e) {
        log.warn("cannot start a standby replica: {}", e.toString());
        return;
      }
    }
  }

  @Override
  public void close() {
    List<RuntimeProcess> all;
    synchronized (this) {
      closed = true;
      all = List.copyOf(idle);
      idle.clear();
    }
    all.parallelStream().forEach(p -> p.stop(2_000));
  }
}
