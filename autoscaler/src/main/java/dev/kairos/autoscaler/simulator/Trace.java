package dev.kairos.autoscaler.simulator;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request trace to replay: its models and how long it lasts.
 *
 * @param models the models, in the trace's order
 * @param durationSeconds the span the trace covers
 * @param source where it was read from, for reports
 */
public record Trace(List<TraceModel> models, double durationSeconds, String source) {
  public Trace {
    models = List.copyOf(models);
  }

  /**
   * Reads the Azure Functions 2019 sample (Shahrad et al., USENIX ATC 2020): {@code
   * invocations_per_function_per_minute.csv} and {@code function_durations_ms.csv}.
   *
   * @param limit at most this many functions, in file order (0: all)
   * @param minutes at most this many minutes from the start (0: all)
   */
  public static Trace azureFunctions(Path dir, int limit, int minutes) throws IOException {
    Map<String, double[]> durations = new HashMap<>();
    try (BufferedReader r = Files.newBufferedReader(dir.resolve("function_durations_ms.csv"))) {
      String header = r.readLine();
      int first = Arrays.asList(header.split(",")).indexOf("percentile_Average_0");
      String line;
      while ((line = r.readLine()) != null) {
        String[] f = line.split(",");
        double[] p = new double[7];
        for (int i = 0; i < 7; i++) {
          p[i] = Double.parseDouble(f[first + i]);
        }
        durations.put(f[0], p);
      }
    }
    List<TraceModel> models = new ArrayList<>();
    int span = 0;
    try (BufferedReader r =
        Files.newBufferedReader(dir.resolve("invocations_per_function_per_minute.csv"))) {
      String header = r.readLine();
      int columns = header.split(",").length - 3;
      span = minutes > 0 ? Math.min(minutes, columns) : columns;
      String line;
      while ((line = r.readLine()) != null && (limit <= 0 || models.size() < limit)) {
        String[] f = line.split(",");
        int[] counts = new int[span];
        for (int m = 0; m < span; m++) {
          counts[m] = Integer.parseInt(f[3 + m]);
        }
        double[] p = durations.get(f[0]);
        if (p == null) {
          throw new IOException("function " + f[0] + " has invocations but no durations");
        }
        models.add(new PerMinuteModel(f[0].substring(0, 12), counts, p));
      }
    }
    return new Trace(models, span * 60.0, dir.toString());
  }

  /**
   * Reads a CSV of {@code timestamp,model} rows (a header line is optional). Timestamps are seconds
   * (decimals allowed) or ISO-8601 instants; time starts at the earliest one.
   */
  public static Trace csv(Path file) throws IOException {
    Map<String, List<Double>> byModel = new LinkedHashMap<>();
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    int lineNo = 0;
    for (String line : Files.readAllLines(file)) {
      lineNo++;
      String s = line.trim();
      if (s.isEmpty() || s.startsWith("#")) {
        continue;
      }
      String[] f = s.split(",");
      if (f.length < 2) {
        throw new IOException(file + ":" + lineNo + ": expected timestamp,model, got '" + s + "'");
      }
      double t;
      try {
        t = parseTime(f[0].trim());
      } catch (IllegalArgumentException e) {
        if (lineNo == 1) {
          continue; // a header
        }
        throw new IOException(file + ":" + lineNo + ": " + e.getMessage());
      }
      byModel.computeIfAbsent(f[1].trim(), k -> new ArrayList<>()).add(t);
      min = Math.min(min, t);
      max = Math.max(max, t);
    }
    List<TraceModel> models = new ArrayList<>();
    for (Map.Entry<String, List<Double>> e : byModel.entrySet()) {
      double[] ts = new double[e.getValue().size()];
      for (int i = 0; i < ts.length; i++) {
        ts[i] = e.getValue().get(i) - min;
      }
      Arrays.sort(ts);
      models.add(new ExplicitArrivalsModel(e.getKey(), ts));
    }
    double span = models.isEmpty() ? 0 : Math.ceil(max - min + 1);
    return new Trace(models, span, file.toString());
  }

  private static double parseTime(String s) {
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      try {
        Instant i = Instant.parse(s);
        return i.getEpochSecond() + i.getNano() / 1e9;
      } catch (DateTimeParseException x) {
        throw new IllegalArgumentException(
            "timestamp '" + s + "' is neither seconds nor an ISO-8601 instant");
      }
    }
  }

  public long totalRequests() {
    long n = 0;
    for (TraceModel m : models) {
      n += m.totalRequests();
    }
    return n;
  }
}
