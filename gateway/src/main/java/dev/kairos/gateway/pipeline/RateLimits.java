package dev.kairos.gateway.pipeline;

import dev.kairos.gateway.auth.ApiKey;
import dev.kairos.gateway.resilience.TokenBucket;
import dev.kairos.sdk.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One token bucket per API key that has a rate; a reloaded key with a new rate gets a new one. */
final class RateLimits {
  private final Map<ApiKey, TokenBucket> buckets = new ConcurrentHashMap<>();
  private final Clock time;

  RateLimits(Clock time) {
    this.time = time;
  }

  /** 0 when the key may send now, else nanoseconds until it may. */
  long tryAcquire(ApiKey key) {
    if (key.ratePerSecond() <= 0) {
      return 0;
    }
    TokenBucket b = buckets.get(key);
    if (b == null) {
      b = buckets.computeIfAbsent(key, k -> new TokenBucket(k.ratePerSecond(), k.burst(), time));
    }
    return b.tryAcquire();
  }
}
