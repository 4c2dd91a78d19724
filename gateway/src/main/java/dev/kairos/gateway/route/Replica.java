package dev.kairos.gateway.route;

import dev.kairos.gateway.resilience.ReplicaBreaker;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One runtime process serving a model version, reachable at {@code host:port}. Its in-flight count
 * drives replica choice; its in-flight time is what the autoscaler samples. A replica that said how
 * many requests it admits at once (its capacity: its queue plus its running batches) is sent no
 * more inferences than that, so one it would refuse is refused here, before its body is read or
 * copied.
 */
public final class Replica {
  private final String id;
  private final String host;
  private final int port;
  private final int capacity;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final InFlightTime inFlightTime;
  private volatile boolean draining;
  private volatile long lastAnsweredNanos = Long.MIN_VALUE;
  private volatile ReplicaBreaker breaker;
  private final CompletableFuture<Void> drained = new CompletableFuture<>();

  /** A replica whose capacity is not known: nothing here bounds what is sent to it. */
  public Replica(String id, String host, int port) {
    this(id, host, port, 0);
  }

  /**
   * @param capacity the most requests the replica admits at once; 0 when unknown (no bound)
   */
  public Replica(String id, String host, int port, int capacity) {
    this(id, host, port, capacity, System::nanoTime);
  }

  /**
   * @param nanoTime the monotonic clock its in-flight time is measured on
   */
  public Replica(String id, String host, int port, int capacity, LongSupplier nanoTime) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity = " + capacity + ", must be >= 0");
    }
    this.id = id;
    this.host = host;
    this.port = port;
    this.capacity = capacity;
    this.inFlightTime = new InFlightTime(nanoTime);
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

  /**
   * Its in-flight requests integrated over time until now (request-nanoseconds since it was made,
   * on the clock it was given): the difference of two readings divided by the time between them is
   * its mean concurrency over that time.
   */
  public long inFlightNanos() {
    return inFlightTime.integral();
  }

  /** The most requests it admits at once, or 0 when unknown. */
  public int capacity() {
    return capacity;
  }

  /** Whether it holds as many requests as it admits: another inference would be refused. */
  public boolean full() {
    return capacity > 0 && inFlight.get() >= capacity;
  }

  /** Called when a request that the capacity does not bound (metadata) is sent to it. */
  public void acquire() {
    inFlight.incrementAndGet();
    inFlightTime.change(1);
  }

  /**
   * Takes an in-flight slot for an inference if the replica has room for it.
   *
   * @return false when it already holds its capacity
   */
  public boolean tryAcquire() {
    if (capacity == 0) {
      inFlight.incrementAndGet();
    } else if (inFlight.getAndUpdate(n -> n < capacity ? n + 1 : n) >= capacity) {
      return false;
    }
    inFlightTime.change(1);
    return true;
  }

  /** Called when a request's response has been received or failed. */
  public void release() {
    inFlightTime.change(-1);
    if (inFlight.decrementAndGet() <= 0 && draining) {
      drained.complete(null);
    }
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
    if (inFlight.get() <= 0) {
      drained.complete(null);
    }
  }

  /**
   * Completes once the replica drains and holds no request: it may then stop without cutting one
   * short. Never completes for a replica that is not draining.
   */
  public CompletableFuture<Void> drained() {
    return drained;
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
