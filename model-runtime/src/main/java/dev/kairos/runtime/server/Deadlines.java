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
        nanos = s.matches("\\d+") ? Long.parseLong(s) * 1000L : Durations.parse(s).toNanos();
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
}
