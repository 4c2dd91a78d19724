package dev.kairos.gateway.pipeline;

import dev.kairos.gateway.auth.ApiKey;
import dev.kairos.gateway.auth.ApiKeyStore;
import dev.kairos.gateway.metrics.GatewayMetrics;
import dev.kairos.gateway.metrics.GatewayMetrics.Rejection;
import dev.kairos.sdk.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * Who may call which model, and how often: authentication, the model scope of the API key and the
 * key's rate limit, the same for every protocol.
 */
final class Admission {
  /** Why a call is refused before it reaches a model: the status and message REST answers. */
  record Refusal(int status, String message, String retryAfter) {}

  private final ApiKeyStore keys;
  private final RateLimits rateLimits;
  private final GatewayMetrics metrics;

  Admission(ApiKeyStore keys, GatewayMetrics metrics, Clock time) {
    this.keys = keys;
    this.metrics = metrics;
    this.rateLimits = new RateLimits(time);
  }

  /**
   * @param secret the API key the call carries, or null
   * @return null when the call may go on
   */
  Refusal check(String secret, String model) {
    if (!keys.enforced()) {
      return null;
    }
    ApiKey key = secret == null ? null : keys.current().find(secret);
    if (key == null) {
      metrics.rejected(null, Rejection.UNAUTHENTICATED);
      return new Refusal(401, secret == null ? "missing API key" : "unknown API key", null);
    }
    if (!key.mayInfer(model)) {
      metrics.rejected(null, Rejection.FORBIDDEN);
      return new Refusal(
          403, "API key '" + key.name() + "' may not call model '" + model + "'", null);
    }
    long wait = rateLimits.tryAcquire(key);
    if (wait > 0) {
      metrics.rejected(model, Rejection.RATE_LIMITED);
      return new Refusal(429, "API key '" + key.name() + "' is over its rate limit", seconds(wait));
    }
    return null;
  }

  /**
   * The caller's key, when keys are enforced and the secret names one; null otherwise (check {@link
   * #enforced} first). Neither counts nor spends its rate.
   */
  ApiKey known(String secret) {
    return secret == null ? null : keys.current().find(secret);
  }

  boolean enforced() {
    return keys.enforced();
  }

  /** A Retry-After in whole seconds, rounded up, at least 1. */
  static String seconds(long nanos) {
    return Long.toString(Math.max(1, TimeUnit.NANOSECONDS.toSeconds(nanos + 999_999_999L)));
  }
}
