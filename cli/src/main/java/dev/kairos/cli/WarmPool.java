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
 */
final class WarmPool implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WarmPool.class);

  private final int size;
  private final ReplicaCommand command;
  private final ArrayDeque<RuntimeProcess> idle = new ArrayDeque<>();
  private boolean closed;

  WarmPool(int size, ReplicaCommand command) {
    this.size = size;
    this.command = command;
    refill();
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

  /** Standby processes started and not handed out. */
  synchronized int idle() {
    return idle.size();
  }

  private synchronized void refill() {
    while (!closed && idle.size() < size) {
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
