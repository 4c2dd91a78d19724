package dev.kairos.autoscaler.tuner;

import static dev.kairos.autoscaler.simulator.SimulationReport.esc;

import dev.kairos.autoscaler.simulator.SimulationReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Writes a search's outcome: a text table for the terminal (every model together, then the busiest
 * models' current and recommended settings) and an HTML page with each busiest model's
 * cost-against-attainment frontier as inline SVG, in {@code kairos simulate}'s style.
 */
public final class TuningReport {
  private final TuningResult result;
  private final String header;

  /**
   * @param header one line saying what was searched (trace, SLO, budget), shown first
   */
  public TuningReport(TuningResult result, String header) {
    this.result = result;
    this.header = header;
  }

  /** The busiest models first. */
  private List<ModelRecommendation> busiest(int n) {
    return result.models().stream()
        .sorted(
            Comparator.comparingLong((ModelRecommendation m) -> m.current().requests()).reversed())
        .limit(n)
        .toList();
  }

  public String text(int topModels) {
    return header + '\n' + body(topModels);
  }

  /** The figures without the header. */
  private String body(int topModels) {
    StringBuilder b = new StringBuilder();
    TuningResult.Totals now = result.current();
    TuningResult.Totals rec = result.recommended();
    b.append(
        String.format(
            Locale.ROOT,
            "searched %d models in %.1f s, %.0f replays (whole-trace equivalents)%n%n",
            result.models().size(),
            result.wallSeconds(),
            result.replays()));
    b.append(
        String.format(
            Locale.ROOT,
            "%-14s %12s %16s %12s%n",
            "all models",
            "attainment",
            "replica-s",
            "cold starts"));
    b.append(totals("current", now, null));
    b.append(totals("recommended", rec, now));
    List<ModelRecommendation> unreachable = result.unreachable();
    if (result.goal().fleet() && !unreachable.isEmpty()) {
      b.append(
          String.format(
              Locale.ROOT,
              "%nSLO unreachable over all models: target %.3f%%, best reachable %.3f%% (the"
                  + " settings with the most requests within the SLO that were tried)%n",
              100 * unreachable.get(0).target(),
              100 * rec.attainment()));
    } else if (!unreachable.isEmpty()) {
      b.append(
          String.format(
              Locale.ROOT,
              "%nSLO unreachable for %d model(s): no setting tried meets the target; the best"
                  + " reachable attainment is recommended:%n",
              unreachable.size()));
      unreachable.stream()
          .sorted(
              Comparator.comparingLong((ModelRecommendation m) -> m.current().requests())
                  .reversed())
          .limit(Math.max(5, topModels))
          .forEach(
              m ->
                  b.append(
                      String.format(
                          Locale.ROOT,
                          "  %-20s target %.3f%%, best reachable %.3f%%%n",
                          m.model(),
                          100 * m.target(),
                          100 * m.best().attainment())));
    }
    if (topModels > 0) {
      b.append(String.format(Locale.ROOT, "%nbusiest %d models:%n", topModels));
      b.append(
          String.format(
              Locale.ROOT,
              "%-20s %-12s %11s %14s %6s  %s%n",
              "model",
              "setting",
              "attainment",
              "replica-s",
              "cold",
              "knobs"));
      for (ModelRecommendation m : busiest(topModels)) {
        b.append(row(m.model(), "current", m.current()));
        b.append(row("", m.reachable() ? "recommended" : "best reach.", m.best()));
      }
    }
    return b.toString();
  }

  private static String totals(String label, TuningResult.Totals t, TuningResult.Totals base) {
    String rs = String.format(Locale.ROOT, "%,.0f", t.replicaSeconds());
    String cs = String.valueOf(t.coldStarts());
    if (base != null && base.replicaSeconds() > 0) {
      rs +=
          String.format(
              Locale.ROOT, " (%+.1f%%)", 100 * (t.replicaSeconds() / base.replicaSeconds() - 1));
    }
    if (base != null && base.coldStarts() > 0) {
      cs +=
          String.format(
              Locale.ROOT,
              " (%+.1f%%)",
              100.0 * (t.coldStarts() - base.coldStarts()) / base.coldStarts());
    }
    return String.format(
        Locale.ROOT, "%-14s %11.3f%% %16s %12s%n", label, 100 * t.attainment(), rs, cs);
  }

  private static String row(String model, String label, Evaluation e) {
    return String.format(
        Locale.ROOT,
        "%-20s %-12s %10.3f%% %14.0f %6d  %s%n",
        model.length() > 20 ? model.substring(0, 20) : model,
        label,
        100 * e.attainment(),
        e.replicaSeconds(),
        e.coldStarts(),
        e.setting().describe());
  }

  /** The page: the totals, the busiest models' frontiers, and every model's recommendation. */
  public String html(int topModels) {
    Objective objective = result.goal().objective();
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>kairos tune</title>\n")
        .append(SimulationReport.STYLE)
        .append("</head><body>\n<h1>Knob search</h1>\n<p>")
        .append(esc(header).replace("\n", "<br>\n"))
        .append("</p>\n<pre>")
        .append(esc(body(0)))
        .append("</pre>\n");
    for (ModelRecommendation m : busiest(topModels)) {
      h.append("<h2>Model ").append(esc(m.model())).append("</h2>\n");
      h.append(frontier(m, objective));
    }
    h.append("<h2>Every model</h2>\n<table><tr><th>model</th><th>requests</th>")
        .append("<th>target</th><th>attainment now</th><th>recommended</th>")
        .append("<th>replica-s now</th><th>recommended</th><th>cold starts now</th>")
        .append("<th>recommended</th><th>knobs</th></tr>\n");
    for (ModelRecommendation m : result.models()) {
      h.append(
          String.format(
              Locale.ROOT,
              "<tr><td>%s</td><td>%d</td><td>%.3f%%</td><td>%.3f%%</td><td>%.3f%%%s</td>"
                  + "<td>%.0f</td><td>%.0f</td><td>%d</td><td>%d</td><td style=\"text-align:left\">%s</td></tr>%n",
              esc(m.model()),
              m.current().requests(),
              100 * m.target(),
              100 * m.current().attainment(),
              100 * m.best().attainment(),
              m.reachable() ? "" : " (unreachable)",
              m.current().replicaSeconds(),
              m.best().replicaSeconds(),
              m.current().coldStarts(),
              m.best().coldStarts(),
              esc(m.best().setting().describe())));
    }
    return h.append("</table>\n</body></html>\n").toString();
  }

  /**
   * Cost (up) against attainment (across): every setting replayed in grey, the frontier (no other
   * setting both cheaper and better) in blue, the current setting in red, the recommendation in
   * green, the target as a dashed line.
   */
  private static String frontier(ModelRecommendation m, Objective objective) {
    int w = 800;
    int hgt = 360;
    int left = 90;
    int right = 20;
    int top = 30;
    int bottom = 45;
    List<Evaluation> all = new ArrayList<>(m.evaluated());
    all.add(m.current());
    double minA =
        Math.min(m.target(), all.stream().mapToDouble(Evaluation::attainment).min().orElse(0));
    double maxA =
        Math.max(m.target(), all.stream().mapToDouble(Evaluation::attainment).max().orElse(1));
    if (maxA - minA < 1e-3) {
      minA = Math.max(0, maxA - 0.01);
    }
    double maxC = Math.max(1e-9, all.stream().mapToDouble(objective::cost).max().orElse(1));
    double pw = w - left - right;
    double ph = hgt - top - bottom;
    double a0 = minA;
    double a1 = maxA;
    java.util.function.DoubleUnaryOperator x = a -> left + pw * (a - a0) / (a1 - a0);
    java.util.function.DoubleUnaryOperator y = c -> top + ph - ph * c / maxC;
    StringBuilder s =
        new StringBuilder(
            SimulationReport.svgStart(
                w, hgt, left, m.model() + ": " + objective + " against SLO attainment"));
    s.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\"/>%n"
                + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%.1f\" stroke=\"#000\"/>%n",
            left,
            top + ph,
            left + pw,
            top + ph,
            left,
            top,
            left,
            top + ph));
    double tx = x.applyAsDouble(m.target());
    s.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\" stroke-dasharray=\"4 3\"/>"
                + "<text x=\"%.1f\" y=\"%d\" fill=\"#888\">target %.2f%%</text>%n",
            tx,
            top,
            tx,
            top + ph,
            tx + 3,
            top + 12,
            100 * m.target()));
    for (Evaluation e : m.evaluated()) {
      s.append(dot(x.applyAsDouble(e.attainment()), y.applyAsDouble(objective.cost(e)), 3, "#bbb"));
    }
    StringBuilder line =
        new StringBuilder(
            "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"");
    for (Evaluation e : m.frontier(objective)) {
      line.append(
          String.format(
              Locale.ROOT,
              "%.1f,%.1f ",
              x.applyAsDouble(e.attainment()),
              y.applyAsDouble(objective.cost(e))));
    }
    s.append(line).append("\"/>\n");
    s.append(
        dot(
            x.applyAsDouble(m.current().attainment()),
            y.applyAsDouble(objective.cost(m.current())),
            6,
            "#d62728"));
    s.append(
        dot(
            x.applyAsDouble(m.best().attainment()),
            y.applyAsDouble(objective.cost(m.best())),
            6,
            "#2ca02c"));
    s.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" fill=\"#d62728\">current</text>"
                + "<text x=\"%d\" y=\"%d\" fill=\"#2ca02c\">recommended</text>"
                + "<text x=\"%d\" y=\"%d\" fill=\"#1f77b4\">frontier</text>%n",
            w - 300,
            18,
            w - 230,
            18,
            w - 130,
            18));
    for (int i = 0; i <= 4; i++) {
      s.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#666\">%,.0f</text>"
                  + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#666\">%.2f%%</text>%n",
              left - 4,
              top + ph - ph * i / 4 + 4,
              maxC * i / 4,
              left + pw * i / 4,
              hgt - bottom + 16,
              100 * (a0 + (a1 - a0) * i / 4)));
    }
    s.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#666\">SLO attainment</text>%n",
            left + pw / 2,
            hgt - 6));
    return s.append("</svg>\n").toString();
  }

  private static String dot(double x, double y, int r, String colour) {
    return String.format(
        Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%d\" fill=\"%s\"/>%n", x, y, r, colour);
  }
}
