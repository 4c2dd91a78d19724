package dev.kairos.autoscaler.simulator;

import java.util.SplittableRandom;

/**
 * A function of the Azure Functions trace: invocations per minute, spread into Poisson arrivals
 * inside each minute (a Poisson process given its count is that many uniform times), with service
 * times drawn from the function's duration percentiles.
 */
final class PerMinuteModel implements TraceModel {
  private static final double[] QUANTILES = {0, 0.01, 0.25, 0.50, 0.75, 0.99, 1.0};

  private final String name;
  private final int[] perMinute;
  private final double[] durationPercentilesSeconds;
  private final long total;

  /**
   * @param durationPercentilesMs duration at the 0, 1, 25, 50, 75, 99 and 100th percentiles
   */
  PerMinuteModel(String name, int[] perMinute, double[] durationPercentilesMs) {
    this.name = name;
    this.perMinute = perMinute;
    this.durationPercentilesSeconds = new double[QUANTILES.length];
    for (int i = 0; i < QUANTILES.length; i++) {
      durationPercentilesSeconds[i] = Math.max(0.001, durationPercentilesMs[i] / 1000.0);
    }
    long t = 0;
    for (int c : perMinute) {
      t += c;
    }
    this.total = t;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public long totalRequests() {
    return total;
  }

  double serviceTimeAt(double u) {
    for (int i = 1; i < QUANTILES.length; i++) {
      if (u <= QUANTILES[i]) {
        double f = (u - QUANTILES[i - 1]) / (QUANTILES[i] - QUANTILES[i - 1]);
        return durationPercentilesSeconds[i - 1]
            + f * (durationPercentilesSeconds[i] - durationPercentilesSeconds[i - 1]);
      }
    }
    return durationPercentilesSeconds[QUANTILES.length - 1];
  }

  @Override
  public Arrivals arrivals(SplittableRandom random) {
    return new Arrivals() {
      int minute = -1;
      double[] times = new double[16];
      int n;
      int i;
      double time;
      double service;

      @Override
      public boolean next() {
        while (i >= n) {
          if (++minute >= perMinute.length) {
            return false;
          }
          fill(perMinute[minute]);
        }
        time = times[i++];
        service = serviceTimeAt(random.nextDouble());
        return true;
      }

      /** Sorted uniform times in the minute from normalised exponential spacings, in O(n). */
      private void fill(int count) {
        n = count;
        i = 0;
        if (count == 0) {
          return;
        }
        if (times.length < count + 1) {
          times = new double[Math.max(count + 1, times.length * 2)];
        }
        double acc = 0;
        for (int k = 0; k <= count; k++) {
          acc += -Math.log(1.0 - random.nextDouble());
          times[k] = acc;
        }
        double base = minute * 60.0;
        for (int k = 0; k < count; k++) {
          times[k] = base + 60.0 * times[k] / acc;
        }
      }

      @Override
      public double time() {
        return time;
      }

      @Override
      public double serviceTime() {
        return service;
      }
    };
  }
}
