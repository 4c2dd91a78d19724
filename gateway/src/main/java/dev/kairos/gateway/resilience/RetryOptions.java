package dev.kairos.gateway.resilience;

/**
 * When a request that never reached a model may be sent to another replica.
 *
 * @param maxAttempts sends per request, the first included (default 3)
 * @param budgetRatio retries allowed per forwarded request, averaged (default 0.2: at most one
 *     retry per five requests once the reserve is spent)
 * @param minRetriesPerSecond retries always allowed at low traffic (default 10)
 */
public record RetryOptions(int maxAttempts, double budgetRatio, double minRetriesPerSecond) {
  public RetryOptions {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts = " + maxAttempts + ", must be >= 1");
    }
    if (budgetRatio < 0 || budgetRatio > 1) {
      throw new IllegalArgumentException("budgetRatio = " + budgetRatio + ", must be 0..1");
    }
    if (minRetriesPerSecond < 0) {
      throw new IllegalArgumentException(
          "minRetriesPerSecond = " + minRetriesPerSecond + ", must be >= 0");
    }
  }

  public static RetryOptions defaults() {
    return new RetryOptions(3, 0.2, 10);
  }
}
