package dev.kairos.console;

import dev.kairos.autoscaler.simulator.TraceModel;
import java.util.SplittableRandom;

/**
 * A model's recorded arrivals per second as a simulator trace: each second's requests spread evenly
 * over that second.
 */
final class RecordedArrivals implements TraceModel {
  private final String name;
  private final int[] perSecond;
  private final long total;

  RecordedArrivals(String name, int[] perSecond) {
    this.name = name;
    this.perSecond = perSecond.clone();
    long t = 0;
    for (int c : perSecond) {
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

  @Override
  public Arrivals arrivals(SplittableRandom random) {
    return new Arrivals() {
      int second;
      int k = -1;
      double time;

      @Override
      public boolean next() {
        k++;
        while (second < perSecond.length && k >= perSecond[second]) {
          second++;
          k = 0;
        }
        if (second >= perSecond.length) {
          return false;
        }
        time = second + (k + 0.5) / perSecond[second];
        return true;
      }

      @Override
      public double time() {
        return time;
      }

      @Override
      public double serviceTime() {
        return Double.NaN;
      }
    };
  }
}
