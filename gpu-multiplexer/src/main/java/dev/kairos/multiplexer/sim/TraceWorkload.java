package dev.kairos.multiplexer.sim;

import dev.kairos.multiplexer.placement.WorkloadClass;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Request arrivals from the Azure Functions 2019 trace (Shahrad et al., USENIX ATC 2020; the
 * 1000-function sample cut by vHive invitro): each of the {@code count} busiest functions becomes a
 * model, its class (heavy/light) from {@code function_summary.csv}, its arrivals the per-minute
 * counts of {@code invocations_per_function_per_minute.csv} spread uniformly at random inside each
 * minute (seeded), times {@code rateScale}.
 */
public final class TraceWorkload {
  private TraceWorkload() {}

  /**
   * One model's traffic.
   *
   * @param arrivalsNanos sorted arrival times from the window's start
   * @param peakRatePerSecond the busiest minute's rate
   */
  public record TracedModel(
      String name,
      WorkloadClass workloadClass,
      long[] arrivalsNanos,
      double meanRatePerSecond,
      double peakRatePerSecond) {}

  public static List<TracedModel> load(
      Path traceDir, int count, int firstMinute, int minutes, double rateScale, long seed)
      throws IOException {
    Map<String, WorkloadClass> classes = new HashMap<>();
    Map<String, Long> totals = new HashMap<>();
    try (BufferedReader r = Files.newBufferedReader(traceDir.resolve("function_summary.csv"))) {
      String[] header = r.readLine().split(",");
      int fn = indexOf(header, "HashFunction");
      int total = indexOf(header, "total_invocations_24h");
      int cls = indexOf(header, "class_by_duration_p75");
      for (String line; (line = r.readLine()) != null; ) {
        String[] f = line.split(",");
        classes.put(f[fn], WorkloadClass.of(f[cls]));
        totals.put(f[fn], Long.parseLong(f[total]));
      }
    }
    Map<String, int[]> perMinute = new HashMap<>();
    try (BufferedReader r =
        Files.newBufferedReader(traceDir.resolve("invocations_per_function_per_minute.csv"))) {
      String[] header = r.readLine().split(",");
      int first = indexOf(header, "minute_1");
      for (String line; (line = r.readLine()) != null; ) {
        String[] f = line.split(",");
        int[] counts = new int[minutes];
        for (int m = 0; m < minutes; m++) {
          counts[m] = Integer.parseInt(f[first + firstMinute + m].trim());
        }
        perMinute.put(f[0], counts);
      }
    }
    List<String> busiest = new ArrayList<>(perMinute.keySet());
    busiest.sort(
        Comparator.comparingLong((String f) -> -totals.getOrDefault(f, 0L))
            .thenComparing(Comparator.naturalOrder()));
    SplittableRandom random = new SplittableRandom(seed);
    List<TracedModel> out = new ArrayList<>();
    for (String fn : busiest.subList(0, Math.min(count, busiest.size()))) {
      int[] counts = perMinute.get(fn);
      List<Long> arrivals = new ArrayList<>();
      int peak = 0;
      for (int m = 0; m < minutes; m++) {
        int n = (int) Math.round(counts[m] * rateScale);
        peak = Math.max(peak, n);
        for (int i = 0; i < n; i++) {
          arrivals.add(m * 60_000_000_000L + random.nextLong(60_000_000_000L));
        }
      }
      long[] sorted = arrivals.stream().mapToLong(Long::longValue).toArray();
      Arrays.sort(sorted);
      String name = classes.get(fn).name().toLowerCase() + "-" + fn.substring(0, 8);
      out.add(
          new TracedModel(
              name, classes.get(fn), sorted, sorted.length / (minutes * 60.0), peak / 60.0));
    }
    return out;
  }

  private static int indexOf(String[] header, String column) {
    for (int i = 0; i < header.length; i++) {
      if (header[i].trim().equals(column)) {
        return i;
      }
    }
    throw new IllegalArgumentException("trace file lacks column " + column);
  }
}
