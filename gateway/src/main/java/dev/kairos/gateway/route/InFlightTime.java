package dev.kairos.gateway.route;

import java.util.function.LongSupplier;

/**
 * The time integral of a replica's in-flight requests, in request-nanoseconds: what the autoscaler
 * divides by a sampling interval for the mean concurrency over it, as Knative's queue-proxy reports
 * it. An instantaneous count misses most requests shorter than the sampling period, so a model
 * answering in milliseconds would look idle and scale to zero while it is being called.
 */
final class InFlightTime {
  private final LongSupplier nanoTime;

  // guarded by this
  private int count;
  private long last;
  private long integral;

  InFlightTime(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.last = nanoTime.getAsLong();
  }

  /** One more ({@code +1}) or one fewer ({@code -1}) request in flight from now on. */
  void change(int delta) {
    long now = nanoTime.getAsLong();
    synchronized (this) {
      advance(now);
      count += delta;
    }
  }

  /** Request-nanoseconds in flight from creation until now; never decreases. */
  long integral() {
    long now = nanoTime.getAsLong();
    synchronized (this) {
      advance(now);
      return integral;
    }
  }

  private void advance(long now) {
    // a thread that read the clock before another took the lock counts from the later instant
    if (now > last) {
      integral += count * (now - last);
      last = now;
    }
  }
}
