package dev.kairos.console;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads text-generation replicas' {@code kairos_generate_*} meters from their Prometheus text and
 * sums them: gauges and counters add up, histograms add bucket by bucket. Other lines are ignored.
 */
final class GenerationMeters {
  private static final String PREFIX = "kairos_generate_";
  private final Map<String, Double> values = new HashMap<>();
  private final Map<String, TreeMap<Double, Double>> buckets = new HashMap<>();
  private int replicas;

  /** Adds one replica's scrape. */
  GenerationMeters add(String text) {
    replicas++;
    for (String line : text.split("\n")) {
      if (!line.startsWith(PREFIX)) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      int brace = line.indexOf('{');
      if (space < 0) {
        continue;
      }
      String name = line.substring(0, brace >= 0 && brace < space ? brace : space);
      double value;
      try {
        value = Double.parseDouble(line.substring(space + 1).trim());
      } catch (NumberFormatException e) {
        continue;
      }
      if (name.endsWith("_bucket")) {
        double le = upperBound(line);
        if (!Double.isNaN(le)) {
          buckets
              .computeIfAbsent(
                  name.substring(0, name.length() - "_bucket".length()), k -> new TreeMap<>())
              .merge(le, value, Double::sum);
        }
      } else {
        values.merge(name, value, Double::sum);
      }
    }
    return this;
  }

  private static double upperBound(String line) {
    int at = line.indexOf("le=\"");
    if (at < 0) {
      return Double.NaN;
    }
    int end = line.indexOf('"', at + 4);
    String le = line.substring(at + 4, end);
    return "+Inf".equals(le) ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
  }

  GenerationStatus status() {
    double queries = value("prefix_cache_queries_total");
    return new GenerationStatus(
        replicas,
        value("running_sequences"),
        value("waiting_sequences"),
        value("kv_blocks_used"),
        value("kv_blocks_free"),
        value("prompt_tokens_total"),
        value("output_tokens_total"),
        value("preemptions_total"),
        queries > 0 ? value("prefix_cache_hits_total") / queries : Double.NaN,
        latency("time_to_first_token_seconds"),
        latency("time_per_output_token_seconds"),
        latency("e2e_seconds"));
  }

  private double value(String name) {
    return values.getOrDefault(PREFIX + name, 0.0);
  }

  private GenerationStatus.Latency latency(String name) {
    long count = (long) value(name + "_count");
    if (count == 0) {
      return new GenerationStatus.Latency(0, Double.NaN, Double.NaN, Double.NaN);
    }
    TreeMap<Double, Double> cumulative = buckets.getOrDefault(PREFIX + name, new TreeMap<>());
    return new GenerationStatus.Latency(
        count,
        value(name + "_sum") / count,
        quantile(cumulative, count, 0.5),
        quantile(cumulative, count, 0.99));
  }

  private static double quantile(TreeMap<Double, Double> cumulative, long count, double q) {
    for (Map.Entry<Double, Double> b : cumulative.entrySet()) {
      if (b.getValue() >= q * count) {
        return b.getKey();
      }
    }
    return Double.POSITIVE_INFINITY;
  }
}
