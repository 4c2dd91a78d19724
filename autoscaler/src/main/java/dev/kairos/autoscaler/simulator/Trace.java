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
    Path durationsFile = existing(dir.resolve("function_durations_ms.csv"));
    try (BufferedReader r = Files.newBufferedReader(durationsFile)) {
      String header = r.readLine();
      int first =
          header == null ? -1 : Arrays.asList(header.split(",")).indexOf("percentile_Average_0");
      if (first < 1) {
        throw new IOException(durationsFile + ":1: expected a header with percentile_Average_0");
      }
      String line;
      int lineNo = 1;
      while ((line = r.readLine()) != null) {
        lineNo++;
        String[] f = line.split(",");
        if (f.length < first + 7) {
          throw new IOException(
              durationsFile
                  + ":"
                  + lineNo
                  + ": expected "
                  + (first + 7)
                  + " columns, got "
                  + f.length);
        }
        double[] p = new double[7];
        for (int i = 0; i < 7; i++) {
          p[i] = number(durationsFile, lineNo, f[first + i]);
        }
        durations.put(f[0], p);
      }
    }
    List<TraceModel> models = new ArrayList<>();
    int span = 0;
    Path invocations = existing(dir.resolve("invocations_per_function_per_minute.csv"));
    try (BufferedReader r = Files.newBufferedReader(invocations)) {
      String header = r.readLine();
      int columns = header == null ? 0 : header.split(",").length - 3;
      if (columns < 1) {
        throw new IOException(invocations + ":1: expected a header with 3 columns and the minutes");
      }
      span = minutes > 0 ? Math.min(minutes, columns) : columns;
      String line;
      int lineNo = 1;
      while ((line = r.readLine()) != null && (limit <= 0 || models.size() < limit)) {
        lineNo++;
        String[] f = line.split(",");
        if (f.length < 3 + span) {
          throw new IOException(
              invocations
                  + ":"
                  + lineNo
                  + ": expected "
                  + (3 + span)
                  + " columns, got "
                  + f.length);
        }
        int[] counts = new int[span];
        for (int m = 0; m < span; m++) {
          double c = number(invocations, lineNo, f[3 + m]);
          if (c < 0 || c != Math.rint(c) || c > Integer.MAX_VALUE) {
            throw new IOException(
                invocations
                    + ":"
                    + lineNo
                    + ": minute "
                    + (m + 1)
                    + " holds '"
                    + f[3 + m]
                    + "', expected a count of invocations");
          }
          counts[m] = (int) c;
        }
        double[] p = durations.get(f[0]);
        if (p == null) {
          throw new IOException(
              invocations
                  + ":"
                  + lineNo
                  + ": function "
                  + f[0]
                  + " has invocations but no durations");
        }
        models.add(new PerMinuteModel(f[0].substring(0, Math.min(12, f[0].length())), counts, p));
      }
    }
    return new Trace(models, span * 60.0, dir.toString());
  }

  private static Path existing(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException(
          file + " does not exist (an Azure Functions 2019 trace directory holds it)");
    }
    return file;
  }

  private static double number(Path file, int lineNo, String text) throws IOException {
    try {
      double v = Double.parseDouble(text.trim());
      if (Double.isFinite(v)) {
        return v;
      }
    } catch (NumberFormatException e) {
      // falls through to the message naming the line
    }
    throw new IOException(file + ":" + lineNo + ": '" + text + "' is not a number");
  }

  /**
   * Reads a CSV of {@code timestamp,model} rows (a header line is optional). Timestamps are seconds
   * (decimals allowed) or ISO-8601 instants; time starts at the earliest one.
   */
  public static Trace csv(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("trace " + file + " does not exist");
    }
    Map<String, List<Double>> byModel = new LinkedHashMap<>();
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    int lineNo = 0;
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new IOException(file + " is not a text file (UTF-8 CSV of timestamp,model rows)");
    }
    for (String line : lines) {
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
      if (f[1].trim().isEmpty()) {
        throw new IOException(file + ":" + lineNo + ": the model name is empty");
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
      double t = Double.parseDouble(s);
      if (!Double.isFinite(t)) {
        throw new IllegalArgumentException(
            "timestamp '" + s + "' is not a finite number of seconds");
      }
      return t;
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
