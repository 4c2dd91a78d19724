package dev.kairos.gateway.resilience;

/**
 * When a request that never reached a model may be sent to another replica.
 *
 * @param maxAttempts sends per request, the first included (default 3)
 * @param budgetRatio retries allowed per forwarded request, averaged (default 0.2: at most one
 *     retry per five requests once the reserve is spent)
 * @param minRetriesPerSecond retries always allowed at low traffic (default 10)
 * @param retryOnReset whether a request whose replica closed the connection before answering
 *     anything (it died or was killed holding it) is sent to another replica (default true).
 *     Inference is a pure function of its inputs, so a request that got no answer at all is safe to
 *     send again; turn this off for Java predictors with side effects. Only bodies the gateway
 *     still holds (up to 256 KiB) can be sent again.
 */
public record RetryOptions(
    int maxAttempts, double budgetRatio, double minRetriesPerSecond, boolean retryOnReset) {
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

  /** Options that retry on a reset (the default). */
  public RetryOptions(int maxAttempts, double budgetRatio, double minRetriesPerSecond) {
    this(maxAttempts, budgetRatio, minRetriesPerSecond, true);
  }

  public static RetryOptions defaults() {
    return new RetryOptions(3, 0.2, 10, true);
  }

  public RetryOptions withRetryOnReset(boolean on) {
    return new RetryOptions(maxAttempts, budgetRatio, minRetriesPerSecond, on);
  }
}
