package dev.kairos.autoscaler.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes replays side by side: a text table for the terminal and an HTML page with SVG charts of
 * requests versus replicas over time that opens in any browser, with nothing to download.
 */
public final class SimulationReport {
  private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};

  /** The reports' look (tables and page), shared with the tuner's report. */
  public static final String STYLE =
      "<style>body{font-family:sans-serif;margin:2em;max-width:1100px}"
          + "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;"
          + "text-align:right}th{background:#f4f4f4}td:first-child{text-align:left}"
          + "code{background:#f4f4f4}</style>";

  private final Trace trace;
  private final SimulationOptions options;
  private final List<SimulationResult> results;

  public SimulationReport(Trace trace, SimulationOptions options, List<SimulationResult> results) {
    this.trace = trace;
    this.options = options;
    this.results = List.copyOf(results);
  }

  /** Overall figures per setting, then the busiest models. */
  public String text(int topModels) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "trace %s: %d models, %d requests over %.1f h%n",
            trace.source(),
            trace.models().size(),
            trace.totalRequests(),
            trace.durationSeconds() / 3600));
    b.append("replicas: ")
        .append(options.latency().machine().describe(options.latency().coldStartSeconds()))
        .append('\n');
    b.append(header());
    for (SimulationResult r : results) {
      b.append(row(r.label(), r.overall()))
          .append(String.format(Locale.ROOT, "   (replayed in %.1f s)%n", r.wallSeconds()));
    }
    if (topModels > 0 && !results.isEmpty()) {
      b.append(String.format(Locale.ROOT, "%nbusiest %d models:%n", topModels));
      b.append(header());
      List<ModelResult> first = results.get(0).models();
      for (int i = 0; i < Math.min(topModels, first.size()); i++) {
        for (SimulationResult r : results) {
          ModelResult m = r.models().get(i);
          b.append(row(m.name() + " " + r.label(), m)).append('\n');
        }
      }
    }
    return b.toString();
  }

  private static String header() {
    return String.format(
        Locale.ROOT,
        "%-28s %10s %9s %9s %9s %14s %11s %11s%n",
        "setting",
        "requests",
        "SLO",
        "p50",
        "p99",
        "replica-s",
        "cold starts",
        "cold reqs");
  }

  private static String row(String label, ModelResult m) {
    return String.format(
        Locale.ROOT,
        "%-28s %10d %8.3f%% %9s %9s %14.0f %11d %11d",
        label.length() > 28 ? label.substring(0, 28) : label,
        m.requests(),
        100 * m.sloAttainment(),
        seconds(m.p50()),
        seconds(m.p99()),
        m.replicaSeconds(),
        m.coldStarts(),
        m.coldRequests());
  }

  /** A duration for people: {@code 85ms}, {@code 1.25s}. */
  public static String seconds(double s) {
    return s < 1
        ? String.format(Locale.ROOT, "%.0fms", s * 1000)
        : String.format(Locale.ROOT, "%.2fs", s);
  }

  /** An HTML page: settings, overall table, overall chart and a chart per busiest model. */
  public String html(int topModels) {
    StringBuilder h = new StringBuilder();
    h.append(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>kairos simulate</title>\n")
        .append(STYLE)
        .append("</head><body>\n");
    h.append("<h1>Autoscaler what-if replay</h1>\n<p>Trace <code>")
        .append(esc(trace.source()))
        .append("</code>: ")
        .append(trace.models().size())
        .append(" models, ")
        .append(trace.totalRequests())
        .append(
            String.format(Locale.ROOT, " requests over %.1f h. ", trace.durationSeconds() / 3600))
        .append(
            String.format(
                Locale.ROOT,
                "Replica model: %s per request, %d concurrent requests per replica, %s;"
                    + " SLO: %s &le; %s; decider tick %s; seed %d.</p>\n",
                Double.isNaN(options.latency().serviceTimeSeconds())
                    ? "trace durations"
                    : seconds(options.latency().serviceTimeSeconds()),
                options.latency().concurrencyPerReplica(),
                esc(options.latency().machine().describe(options.latency().coldStartSeconds())),
                options.sloCountsService() ? "latency (wait + service)" : "wait before service",
                seconds(options.sloWaitSeconds()),
                seconds(options.tickSeconds()),
                options.seed()));
    h.append("<h2>Knobs</h2>\n<table><tr><th>knob</th>");
    for (SimulationResult r : results) {
      h.append("<th>").append(esc(r.label())).append("</th>");
    }
    h.append("</tr>\n");
    for (String knob : results.get(0).spec().knobs().keySet()) {
      h.append("<tr><td>").append(knob).append("</td>");
      for (SimulationResult r : results) {
        Object v = r.spec().knobs().get(knob);
        Object base = results.get(0).spec().knobs().get(knob);
        boolean differs = !v.equals(base);
        h.append("<td>").append(differs ? "<b>" : "").append(esc(String.valueOf(v)));
        h.append(differs ? "</b>" : "").append("</td>");
      }
      h.append("</tr>\n");
    }
    h.append("</table>\n<h2>Overall</h2>\n");
    h.append(table(results.stream().map(r -> Map.entry(r.label(), r.overall())).toList()));
    h.append(
        chart(
            "All models: requests per minute vs replicas",
            results.stream().map(SimulationResult::overall).toList()));
    List<ModelResult> busiest = results.get(0).models();
    for (int i = 0; i < Math.min(topModels, busiest.size()); i++) {
      int k = i;
      List<ModelResult> per = results.stream().map(r -> r.models().get(k)).toList();
      h.append("<h2>Model ").append(esc(per.get(0).name())).append("</h2>\n");
      List<Map.Entry<String, ModelResult>> rows = new ArrayList<>();
      for (SimulationResult r : results) {
        rows.add(Map.entry(r.label(), r.models().get(k)));
      }
      h.append(table(rows));
      h.append(chart(per.get(0).name() + ": requests per minute vs replicas", per));
    }
    h.append("</body></html>\n");
    return h.toString();
  }

  private static String table(List<Map.Entry<String, ModelResult>> rows) {
    StringBuilder t = new StringBuilder();
    t.append(
        "<table><tr><th>setting</th><th>requests</th><th>SLO attainment</th><th>p50</th><th>p99</th>"
            + "<th>replica-seconds</th><th>cold starts</th><th>requests at zero</th></tr>\n");
    for (Map.Entry<String, ModelResult> e : rows) {
      ModelResult m = e.getValue();
      t.append(
          String.format(
              Locale.ROOT,
              "<tr><td>%s</td><td>%d</td><td>%.3f%%</td><td>%s</td><td>%s</td><td>%.0f</td>"
                  + "<td>%d</td><td>%d</td></tr>%n",
              esc(e.getKey()),
              m.requests(),
              100 * m.sloAttainment(),
              seconds(m.p50()),
              seconds(m.p99()),
              m.replicaSeconds(),
              m.coldStarts(),
              m.coldRequests()));
    }
    return t.append("</table>\n").toString();
  }

  /** Requests per minute (grey bars) and average replicas per setting (lines), as inline SVG. */
  private String chart(String title, List<ModelResult> series) {
    int w = 1000;
    int hgt = 320;
    int left = 60;
    int right = 60;
    int top = 30;
    int bottom = 40;
    int n = series.get(0).requestsPerBucket().length;
    double bucket = options.chartBucketSeconds();
    double perMinute = 60.0 / bucket;
    double maxReq = 1;
    for (long v : series.get(0).requestsPerBucket()) {
      maxReq = Math.max(maxReq, v * perMinute);
    }
    double maxRep = 1;
    for (ModelResult m : series) {
      for (double v : m.replicaSecondsPerBucket()) {
        maxRep = Math.max(maxRep, v / bucket);
      }
    }
    double pw = w - left - right;
    double ph = hgt - top - bottom;
    StringBuilder s = new StringBuilder(svgStart(w, hgt, left, title));
    StringBuilder bars = new StringBuilder("<path fill=\"#cfcfcf\" d=\"M");
    bars.append(String.format(Locale.ROOT, "%.1f,%.1f", (double) left, top + ph));
    long[] req = series.get(0).requestsPerBucket();
    for (int i = 0; i < n; i++) {
      double x = left + pw * i / n;
      double y = top + ph - ph * (req[i] * perMinute) / maxReq;
      bars.append(
          String.format(Locale.ROOT, " L%.1f,%.1f L%.1f,%.1f", x, y, left + pw * (i + 1) / n, y));
    }
    bars.append(String.format(Locale.ROOT, " L%.1f,%.1f Z\"/>%n", left + pw, top + ph));
    s.append(bars);
    for (int k = 0; k < series.size(); k++) {
      StringBuilder line =
          new StringBuilder("<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"");
      line.append(COLOURS[k % COLOURS.length]).append("\" points=\"");
      double[] rep = series.get(k).replicaSecondsPerBucket();
      for (int i = 0; i < n; i++) {
        double x = left + pw * (i + 0.5) / n;
        double y = top + ph - ph * (rep[i] / bucket) / maxRep;
        line.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      }
      s.append(line).append("\"/>\n");
      s.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" fill=\"%s\">replicas: %s</text>%n",
              left + 250 + 250 * k,
              18,
              COLOURS[k % COLOURS.length],
              esc(results.get(k).label())));
    }
    s.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"18\" fill=\"#888\">requests/min (grey)</text>%n",
            w - 190));
    s.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\"/>%n",
            left,
            top + ph,
            left + pw,
            top + ph));
    for (int i = 0; i <= 4; i++) {
      double y = top + ph - ph * i / 4;
      s.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#666\">%.0f</text>%n",
              left - 4,
              y + 4,
              maxReq * i / 4));
      s.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%.1f\" fill=\"#1f77b4\">%.0f</text>%n",
              left + pw + 4,
              y + 4,
              maxRep * i / 4));
    }
    double hours = n * bucket / 3600.0;
    int step = hours > 12 ? 2 : 1;
    for (int hr = 0; hr <= (int) hours; hr += step) {
      double x = left + pw * hr / hours;
      s.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#666\">%dh</text>%n",
              x,
              hgt - bottom + 16,
              hr));
    }
    s.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#666\">time since trace start</text>%n",
            left + pw / 2,
            hgt - 6));
    return s.append("</svg>\n").toString();
  }

  /**
   * Opens a chart's {@code <svg>} of {@code w} by {@code h} with {@code title} in bold above it.
   */
  public static String svgStart(int w, int h, int left, String title) {
    return String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-size=\"12\">%n",
            w,
            h)
        + String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"18\" font-weight=\"bold\">%s</text>%n",
            left,
            esc(title));
  }

  /** Text made safe for HTML. */
  public static String esc(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
