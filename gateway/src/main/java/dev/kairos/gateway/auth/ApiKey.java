package dev.kairos.gateway.auth;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One API key as configured: its name (for logs and metrics, never the secret), what it may do, and
 * its rate limit.
 *
 * @param name label of the key
 * @param sha256 hex SHA-256 of the secret; the secret itself is never stored
 * @param admin whether it may use the admin API
 * @param inferPatterns model name globs ({@code *}, {@code ?}) it may call inference on
 * @param ratePerSecond sustained requests per second, or 0 for no limit
 * @param burst requests it may send at once above the sustained rate (at least 1 when limited)
 */
public record ApiKey(
    String name,
    String sha256,
    boolean admin,
    List<String> inferPatterns,
    double ratePerSecond,
    int burst) {
  public ApiKey {
    Objects.requireNonNull(name, "name");
    if (!sha256.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException(
          "key '"
              + name
              + "': hash must be 64 lowercase hex digits (sha256), got "
              + sha256.length()
              + " characters that are not (the value is not shown: it may be the secret itself;"
              + " hash a secret with: printf %s \"$SECRET\" | sha256sum)");
    }
    inferPatterns = List.copyOf(inferPatterns);
    if (ratePerSecond < 0) {
      throw new IllegalArgumentException(
          "key '" + name + "': rate = " + ratePerSecond + ", must be >= 0");
    }
    if (ratePerSecond > 0 && burst < 1) {
      throw new IllegalArgumentException("key '" + name + "': burst = " + burst + ", must be >= 1");
    }
  }

  /** Whether this key may call inference on a model. */
  public boolean mayInfer(String model) {
    for (String p : inferPatterns) {
      if (glob(p, model)) {
        return true;
      }
    }
    return false;
  }

  private static boolean glob(String pattern, String name) {
    if (pattern.equals("*")) {
      return true;
    }
    if (pattern.indexOf('*') < 0 && pattern.indexOf('?') < 0) {
      return pattern.equals(name);
    }
    StringBuilder re = new StringBuilder();
    for (char c : pattern.toCharArray()) {
      switch (c) {
        case '*' -> re.append(".*");
        case '?' -> re.append('.');
        default -> re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return name.matches(re.toString());
  }
}
