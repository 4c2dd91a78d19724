package dev.kairos.console;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The console's memory: the recent samples of every model (a fixed number per model, oldest
 * dropped), each model's arrivals per second over a longer span (what the tune preview replays),
 * and the autoscaler's recent decisions. Bounded whatever the uptime; thread-safe.
 */
public final class MetricsRing {
  private final int samplesPerModel;
  private final int arrivalSeconds;
  private final int maxDecisions;
  private final Map<String, Deque<ModelSample>> samples = new TreeMap<>();
  private final Map<String, Arrivals> arrivals = new TreeMap<>();
  private final Deque<DecisionEvent> decisions = new ArrayDeque<>();

  /**
   * @param samplesPerModel samples kept per model (900 at one a second: 15 minutes)
   * @param arrivalSeconds seconds of per-model arrivals kept (3600: the last hour)
   * @param maxDecisions decisions kept, all models together
   */
  public MetricsRing(int samplesPerModel, int arrivalSeconds, int maxDecisions) {
    if (samplesPerModel < 1 || arrivalSeconds < 1 || maxDecisions < 1) {
      throw new IllegalArgumentException("ring sizes must be >= 1");
    }
    this.samplesPerModel = samplesPerModel;
    this.arrivalSeconds = arrivalSeconds;
    this.maxDecisions = maxDecisions;
  }

  /** 15 minutes of one-second samples, an hour of arrivals, 2000 decisions. */
  public static MetricsRing defaults() {
    return new MetricsRing(900, 3600, 2000);
  }

  public synchronized void record(String model, ModelSample sample) {
    Deque<ModelSample> ring = samples.computeIfAbsent(model, m -> new ArrayDeque<>());
    ring.addLast(sample);
    while (ring.size() > samplesPerModel) {
      ring.removeFirst();
    }
  }

  /** Adds {@code count} requests of a model in the second starting at {@code epochSecond}. */
  public synchronized void recordArrivals(String model, long epochSecond, int count) {
    arrivals.computeIfAbsent(model, m -> new Arrivals(arrivalSeconds)).add(epochSecond, count);
  }

  public synchronized void record(DecisionEvent decision) {
    decisions.addLast(decision);
    while (decisions.size() > maxDecisions) {
      decisions.removeFirst();
    }
  }

  /** A model's samples taken at or after {@code sinceMillis}, oldest first. */
  public synchronized List<ModelSample> series(String model, long sinceMillis) {
    List<ModelSample> out = new ArrayList<>();
    for (ModelSample s : samples.getOrDefault(model, new ArrayDeque<>())) {
      if (s.atMillis() >= sinceMillis) {
        out.add(s);
      }
    }
    return out;
  }

  /** The newest sample of every model, by model name. */
  public synchronized Map<String, ModelSample> latest() {
    Map<String, ModelSample> out = new LinkedHashMap<>();
    samples.forEach(
        (m, ring) -> {
          if (!ring.isEmpty()) {
            out.put(m, ring.peekLast());
          }
        });
    return out;
  }

  /**
   * A model's arrivals per second over the {@code seconds} seconds before {@code nowEpochSecond}
   * (oldest first; zeros where nothing arrived or nothing was kept).
   */
  public synchronized int[] arrivals(String model, long nowEpochSecond, int seconds) {
    Arrivals a = arrivals.get(model);
    int[] out = new int[seconds];
    if (a != null) {
      for (int i = 0; i < seconds; i++) {
        out[i] = a.get(nowEpochSecond - seconds + i);
      }
    }
    return out;
  }

  /**
   * A model's decisions at or after {@code sinceMillis} (every model's when null), oldest first.
   */
  public synchronized List<DecisionEvent> decisions(String model, long sinceMillis) {
    List<DecisionEvent> out = new ArrayList<>();
    for (DecisionEvent d : decisions) {
      if (d.atMillis() >= sinceMillis && (model == null || d.model().equals(model))) {
        out.add(d);
      }
    }
    return out;
  }

  /** Requests per second, one slot per second of a sliding span. */
  private static final class Arrivals {
    private final int[] counts;
    private final long[] seconds;

    Arrivals(int span) {
      counts = new int[span];
      seconds = new long[span];
      java.util.Arrays.fill(seconds, Long.MIN_VALUE);
    }

    void add(long second, int n) {
      int i = (int) Math.floorMod(second, (long) counts.length);
      if (seconds[i] != second) {
        seconds[i] = second;
        counts[i] = 0;
      }
      counts[i] += n;
    }

    int get(long second) {
      int i = (int) Math.floorMod(second, (long) counts.length);
      return seconds[i] == second ? counts[i] : 0;
    }
  }
}
