package dev.kairos.gateway.resilience;

import dev.kairos.sdk.time.Clock;

/**
 * Caps retries so they cannot amplify an outage: every forwarded request deposits {@code ratio} of
 * a token, time deposits {@code minPerSecond}, a retry withdraws one. The balance is capped at ten
 * seconds' worth of the floor plus ten retries, so a quiet period cannot bank a storm.
 */
public final class RetryBudget {
  private final double ratio;
  private final double minPerSecond;
  private final double cap;
  private final Clock time;
  private double balance;
  private long lastNanos;

  public RetryBudget(RetryOptions options, Clock time) {
    this.ratio = options.budgetRatio();
    this.minPerSecond = options.minRetriesPerSecond();
    this.cap = 10 + 10 * minPerSecond;
    this.time = time;
    this.lastNanos = time.monotonicNanos();
    this.balance = Math.min(cap, minPerSecond);
  }

  /** A request is being forwarded for the first time. */
  public synchronized void onRequest() {
    refill();
    balance = Math.min(cap, balance + ratio);
  }

  /** Whether one retry may be made now; withdraws it if so. */
  public synchronized boolean tryRetry() {
    refill();
    if (balance >= 1) {
      balance -= 1;
      return true;
    }
    return false;
  }

  /** Gives back a token taken by {@link #tryRetry()} for a retry that was not made after all. */
  public synchronized void refund() {
    balance = Math.min(cap, balance + 1);
  }

  private void refill() {
    long now = time.monotonicNanos();
    long elapsed = now - lastNanos;
    if (elapsed > 0) {
      balance = Math.min(cap, balance + minPerSecond * elapsed / 1e9);
      lastNanos = now;
    }
  }
}
