package dev.kairos.runtime.host;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A runtime host's limits.
 *
 * @param memoryBudgetBytes what the models it holds may take together, as measured at their loads
 *     (the process's own base, JVM and server, is not counted)
 * @param maxConcurrentLoads loads that run at once; more wait their turn (at least 1)
 * @param idleUnloadAfter a model without a request for this long is unloaded, whatever the space;
 *     zero turns idle unloading off
 * @param modelThreads engine threads each model gets (its thread budget inside the host)
 * @param workers batches each model runs on its engine at once
 * @param codecThreads threads each model may use to decode requests and encode answers
 * @param trusted the Java predictor jars allowed to share the host
 */
public record HostConfig(
    long memoryBudgetBytes,
    int maxConcurrentLoads,
    Duration idleUnloadAfter,
    int modelThreads,
    int workers,
    int codecThreads,
    TrustedPredictors trusted) {
  public HostConfig {
    if (memoryBudgetBytes <= 0) {
      throw new IllegalArgumentException(
          "memory budget = " + memoryBudgetBytes + " bytes, must be > 0");
    }
    if (maxConcurrentLoads < 1) {
      throw new IllegalArgumentException(
          "max concurrent loads = " + maxConcurrentLoads + ", must be >= 1");
    }
    if (idleUnloadAfter.isNegative()) {
      throw new IllegalArgumentException(
          "idle unload after = " + idleUnloadAfter + ", must be >= 0 (0 turns it off)");
    }
    if (modelThreads < 1 || workers < 1 || codecThreads < 1) {
      throw new IllegalArgumentException(
          "model threads, workers and codec threads must be >= 1, got "
              + modelThreads
              + ", "
              + workers
              + ", "
              + codecThreads);
    }
  }

  private static final Pattern SIZE = Pattern.compile("(\\d{1,15})(Ki|Mi|Gi)?");

  /**
   * Parses a size such as {@code 2Gi}, {@code 512Mi} or a number of bytes.
   *
   * @throws IllegalArgumentException naming {@code what} and the expected form
   */
  public static long parseBytes(String what, String text) {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          what + " = '" + text + "', expected a size such as 512Mi or 2Gi");
    }
    String unit = m.group(2);
    int shift = unit == null ? 0 : unit.equals("Ki") ? 10 : unit.equals("Mi") ? 20 : 30;
    return Long.parseLong(m.group(1)) << shift;
  }

  /** A size in MiB with one decimal, for messages. */
  static String mib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }
}
