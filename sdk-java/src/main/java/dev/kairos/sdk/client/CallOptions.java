package dev.kairos.sdk.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How one call is made. Immutable; derive variants with the {@code with} methods.
 *
 * @param version the model version to call, or null to let the server choose (default null)
 * @param timeout the deadline of the whole call, retries included (default 30 s)
 * @param binary send inputs and ask for outputs in the binary tensor extension instead of JSON
 *     arrays (default false)
 * @param maxRetries how many times a 503 or 429 answer is retried (default 3)
 */
public record CallOptions(String version, Duration timeout, boolean binary, int maxRetries) {
  public CallOptions {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout = " + timeout + ", must be > 0");
    }
    if (maxRetries < 0) {
      throw new IllegalArgumentException("maxRetries = " + maxRetries + ", must be >= 0");
    }
  }

  /** Latest version, 30 s timeout, JSON encoding, 3 retries. */
  public static CallOptions defaults() {
    return new CallOptions(null, Duration.ofSeconds(30), false, 3);
  }

  public CallOptions withVersion(String newVersion) {
    return new CallOptions(newVersion, timeout, binary, maxRetries);
  }

  public CallOptions withTimeout(Duration newTimeout) {
    return new CallOptions(version, newTimeout, binary, maxRetries);
  }

  public CallOptions withBinary(boolean newBinary) {
    return new CallOptions(version, timeout, newBinary, maxRetries);
  }

  public CallOptions withMaxRetries(int newMaxRetries) {
    return new CallOptions(version, timeout, binary, newMaxRetries);
  }
}
