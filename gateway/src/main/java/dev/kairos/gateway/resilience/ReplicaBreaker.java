package dev.kairos.gateway.resilience;

import dev.kairos.sdk.time.Clock;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.concurrent.TimeUnit;

/**
 * A replica's Resilience4j circuit breaker, plus what Resilience4j does not expose: whether an open
 * breaker's wait is over, so replica choice can skip it cheaply and still send the probe in time.
 */
public final class ReplicaBreaker {
  private final CircuitBreaker breaker;
  private final Clock time;
  private final long openForNanos;
  private volatile long openedAtNanos;

  ReplicaBreaker(CircuitBreaker breaker, Clock time, long openForNanos) {
    this.breaker = breaker;
    this.time = time;
    this.openForNanos = openForNanos;
    // No event consumers on purpose: with one registered, Resilience4j builds an event object
    // (with a ZonedDateTime) on every call. The open time is noted where the state can change.
  }

  /** Open and still waiting: no request, not even a probe, should go there now. */
  public boolean refusing() {
    CircuitBreaker.State s = breaker.getState();
    return (s == CircuitBreaker.State.OPEN && time.monotonicNanos() - openedAtNanos < openForNanos)
        || s == CircuitBreaker.State.FORCED_OPEN;
  }

  /** Asks to send one request; a half-open breaker grants only its probes. */
  public boolean tryAcquire() {
    return breaker.tryAcquirePermission();
  }

  /** The replica answered (any status but a server fault). */
  public void onSuccess(long nanos) {
    CircuitBreaker.State before = breaker.getState();
    breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
    noteOpening(before);
  }

  /** The replica failed: connection error, reset, timeout, or a 5xx fault of its own. */
  public void onFailure(long nanos, Throwable cause) {
    CircuitBreaker.State before = breaker.getState();
    breaker.onError(nanos, TimeUnit.NANOSECONDS, cause);
    noteOpening(before);
  }

  private void noteOpening(CircuitBreaker.State before) {
    if (before != CircuitBreaker.State.OPEN && breaker.getState() == CircuitBreaker.State.OPEN) {
      openedAtNanos = time.monotonicNanos();
    }
  }

  /** The request was granted but did not count either way (e.g. the replica was overloaded). */
  public void release() {
    breaker.releasePermission();
  }

  public CircuitBreaker.State state() {
    return breaker.getState();
  }
}
