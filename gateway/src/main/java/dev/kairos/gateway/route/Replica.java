package dev.kairos.gateway.route;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One runtime process serving a model version, reachable at {@code host:port}. Its in-flight count
 * drives replica choice and is what the autoscaler samples.
 */
public final class Replica {
  private final String id;
  private final String host;
  private final int port;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean draining;
  private volatile CircuitBreaker breaker;

  public Replica(String id, String host, int port) {
    this.id = id;
    this.host = host;
    this.port = port;
  }

  public String id() {
    return id;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public int inFlight() {
    return inFlight.get();
  }

  /** Called when a request is sent to this replica. */
  public void acquire() {
    inFlight.incrementAndGet();
  }

  /** Called when that request's response has been received or failed. */
  public void release() {
    inFlight.decrementAndGet();
  }

  public boolean draining() {
    return draining;
  }

  /** A draining replica gets no new requests; those in flight finish. */
  public void drain() {
    draining = true;
  }

  /** This replica's circuit breaker, made by {@code factory} on first use. */
  public CircuitBreaker breaker(Supplier<CircuitBreaker> factory) {
    CircuitBreaker b = breaker;
    if (b == null) {
      synchronized (this) {
        b = breaker;
        if (b == null) {
          b = factory.get();
          breaker = b;
        }
      }
    }
    return b;
  }

  /** Whether the breaker currently refuses new requests (open, or half-open with probes out). */
  public boolean breakerOpen() {
    CircuitBreaker b = breaker;
    return b != null
        && (b.getState() == CircuitBreaker.State.OPEN
            || b.getState() == CircuitBreaker.State.FORCED_OPEN);
  }

  /** CLOSED, OPEN or HALF_OPEN; CLOSED before any request. */
  public String breakerState() {
    CircuitBreaker b = breaker;
    return b == null ? "CLOSED" : b.getState().name();
  }

  @Override
  public String toString() {
    return id + "@" + host + ":" + port;
  }
}
