package dev.kairos.autoscaler.simulator;

import java.util.Arrays;

/**
 * How long one batch takes on a replica, by batch size: a model's profile ({@code kairos profile}
 * writes it as {@code profile.json}). Sizes between two measured ones are interpolated linearly;
 * beyond the largest, extrapolated from the last two (a batch's cost grows about linearly once the
 * device is busy).
 */
public record BatchLatencies(int[] sizes, double[] seconds) {
  public BatchLatencies {
    if (sizes.length == 0 || sizes.length != seconds.length) {
      throw new IllegalArgumentException(
          "a profile needs one latency per batch size, at least one");
    }
    sizes = sizes.clone();
    seconds = seconds.clone();
    for (int i = 0; i < sizes.length; i++) {
      if (sizes[i] < 1 || (i > 0 && sizes[i] <= sizes[i - 1])) {
        throw new IllegalArgumentException(
            "profile batch sizes must be >= 1 and increasing, got " + Arrays.toString(sizes));
      }
      if (!(seconds[i] > 0) || Double.isInfinite(seconds[i])) {
        throw new IllegalArgumentException(
            "profile latency at batch " + sizes[i] + " = " + seconds[i] + "s, must be > 0");
      }
    }
  }

  /** The time a batch of {@code rows} requests takes. */
  public double seconds(int rows) {
    int n = sizes.length;
    if (n == 1) {
      return seconds[0] * Math.max(1, rows) / sizes[0];
    }
    int i = 1;
    while (i < n - 1 && sizes[i] < rows) {
      i++;
    }
    if (rows <= sizes[0]) {
      return seconds[0];
    }
    double f = (double) (rows - sizes[i - 1]) / (sizes[i] - sizes[i - 1]);
    return Math.max(seconds[0], seconds[i - 1] + f * (seconds[i] - seconds[i - 1]));
  }
}
