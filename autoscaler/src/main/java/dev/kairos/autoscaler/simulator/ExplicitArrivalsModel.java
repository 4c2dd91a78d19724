package dev.kairos.autoscaler.simulator;

import java.util.SplittableRandom;

/** A model of a {@code timestamp,model} trace: arrival times as given, no service times. */
final class ExplicitArrivalsModel implements TraceModel {
  private final String name;
  private final double[] times;

  ExplicitArrivalsModel(String name, double[] sortedTimes) {
    this.name = name;
    this.times = sortedTimes;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public long totalRequests() {
    return times.length;
  }

  @Override
  public Arrivals arrivals(SplittableRandom random) {
    return new Arrivals() {
      int i = -1;

      @Override
      public boolean next() {
        return ++i < times.length;
      }

      @Override
      public double time() {
        return times[i];
      }

      @Override
      public double serviceTime() {
        return Double.NaN;
      }
    };
  }
}
