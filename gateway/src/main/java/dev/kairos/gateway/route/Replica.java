package dev.kairos.gateway.route;

import dev.kairos.gateway.resilience.ReplicaBreaker;
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
  private volatile long lastAnsweredNanos = Long.MIN_VALUE;
  private volatile ReplicaBreaker breaker;

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

  /** Records that this replica answered a request (any status) at monotonic time {@code nanos}. */
  public void answered(long nanos) {
    lastAnsweredNanos = nanos;
  }

  /**
   * Whether it answered anything after {@code nanos}: a replica that misses a deadline but keeps
   * answering is overloaded, not broken.
   */
  public boolean answeredSince(long nanos) {
    return lastAnsweredNanos > nanos;
  }

  public boolean draining() {
    return draining;
  }

  /** A draining replica gets no new requests; those in flight finish. */
  public void drain() {
    draining = true;
  }

  /** This replica's circuit breaker, made by {@code factory} on first use. */
  public ReplicaBreaker breaker(Supplier<ReplicaBreaker> factory) {
    ReplicaBreaker b = breaker;
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

  /** Whether the breaker refuses every request now (open and still waiting). */
  public boolean breakerOpen() {
    ReplicaBreaker b = breaker;
    return b != null && b.refusing();
  }

  /** CLOSED, OPEN or HALF_OPEN; CLOSED before any request. */
  public String breakerState() {
    ReplicaBreaker b = breaker;
    return b == null ? "CLOSED" : b.state().name();
  }

  @Override
  public String toString() {
    return id + "@" + host + ":" + port;
  }
}
