package dev.kairos.sdk.model;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the short durations of {@code model.yaml}: {@code 500us}, {@code 2ms}, {@code 60s}, {@code
 * 5m}.
 */
public final class Durations {
  private static final Pattern FORMAT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(us|ms|s|m|h)");

  private Durations() {}

  /**
   * @throws IllegalArgumentException saying what the accepted format is
   */
  public static Duration parse(String text) {
    Matcher m = FORMAT.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "expected a duration such as 500us, 2ms, 30s, 5m or 1h, got '" + text + "'");
    }
    double v = Double.parseDouble(m.group(1));
    double nanos =
        switch (m.group(2)) {
          case "us" -> v * 1e3;
          case "ms" -> v * 1e6;
          case "s" -> v * 1e9;
          case "m" -> v * 60e9;
          default -> v * 3600e9;
        };
    return Duration.ofNanos(Math.round(nanos));
  }

  /** The shortest exact form, for writing back: {@code 2ms}, {@code 60s}. */
  public static String format(Duration d) {
    long nanos = d.toNanos();
    if (nanos % 3_600_000_000_000L == 0 && nanos > 0) {
      return nanos / 3_600_000_000_000L + "h";
    }
    if (nanos % 60_000_000_000L == 0 && nanos > 0) {
      return nanos / 60_000_000_000L + "m";
    }
    if (nanos % 1_000_000_000L == 0) {
      return nanos / 1_000_000_000L + "s";
    }
    if (nanos % 1_000_000L == 0) {
      return nanos / 1_000_000L + "ms";
    }
    return nanos / 1_000L + "us";
  }
}
