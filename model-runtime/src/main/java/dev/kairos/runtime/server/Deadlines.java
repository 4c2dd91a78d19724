package dev.kairos.runtime.server;

import dev.kairos.sdk.model.Durations;
import dev.kairos.sdk.oip.InvalidInputException;

/**
 * A request's deadline from its {@code timeout} header or OIP parameter: an integer number of
 * microseconds (Triton's convention) or a duration such as {@code 250ms}, counted from the moment
 * the request arrived.
 */
final class Deadlines {
  static final String NAME = "timeout";

  private Deadlines() {}

  /**
   * @return the monotonic deadline, or {@link Long#MAX_VALUE} when there is no timeout
   * @throws InvalidInputException when the value is not a timeout
   */
  static long deadline(Object timeout, long arrivalNanos, String where) {
    if (timeout == null) {
      return Long.MAX_VALUE;
    }
    long nanos;
    if (timeout instanceof Number n) {
      nanos = Math.multiplyExact(n.longValue(), 1000L);
    } else {
      String s = timeout.toString().trim();
      try {
        nanos = nanos(s);
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException(
            where
                + " "
                + NAME
                + " = '"
                + s
                + "': expected microseconds (e.g. 250000) or a duration such as 250ms");
      }
    }
    if (nanos <= 0) {
      throw new InvalidInputException(where + " " + NAME + " must be positive, got " + timeout);
    }
    long d = arrivalNanos + nanos;
    return d < arrivalNanos ? Long.MAX_VALUE : d;
  }

  /**
   * The timeout's length. The gateway sends every request's as whole milliseconds ({@code 250ms}),
   * so that form and plain microseconds are read without a regular expression (they were about 5 %
   * of a runtime host's samples under a light model's load); other durations go to {@link
   * Durations#parse}.
   *
   * @throws IllegalArgumentException when it is neither
   */
  private static long nanos(String s) {
    int digits = 0;
    while (digits < s.length() && s.charAt(digits) >= '0' && s.charAt(digits) <= '9') {
      digits++;
    }
    if (digits > 0 && digits == s.length()) {
      return Long.parseLong(s) * 1000L;
    }
    if (digits > 0 && digits == s.length() - 2 && s.endsWith("ms")) {
      return Long.parseLong(s, 0, digits, 10) * 1_000_000L;
    }
    return Durations.parse(s).toNanos();
  }
}
