package dev.kairos.sdk.client;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Reads a {@code Retry-After} header: delay seconds or an HTTP date. */
final class RetryAfter {
  private RetryAfter() {}

  /**
   * The delay a {@code Retry-After} value asks for, never negative.
   *
   * @param header the header value, or null when absent
   * @param fallback the delay when the header is absent or unreadable
   * @param now the current wall time, for HTTP dates
   */
  static Duration parse(String header, Duration fallback, Instant now) {
    if (header == null || header.isBlank()) {
      return fallback;
    }
    String v = header.trim();
    try {
      long seconds = Long.parseLong(v);
      return Duration.ofSeconds(Math.max(0, seconds));
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration d = Duration.between(now, at);
        return d.isNegative() ? Duration.ZERO : d;
      } catch (DateTimeParseException notDate) {
        return fallback;
      }
    }
  }
}
