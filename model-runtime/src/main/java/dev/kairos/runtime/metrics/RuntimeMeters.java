package dev.kairos.runtime.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A runtime process's meter families and their registry (never the global one). A process serving
 * one model has one; a runtime host has one for all the models it holds, each model writing its own
 * {@code model}/{@code version} series through its {@link RuntimeMetrics}, so one scrape shows them
 * all.
 */
public final class RuntimeMeters {
  private static final double[] SECONDS = {
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10
  };
  private static final double[] SIZES = {1, 2, 4, 8, 16, 32, 64, 128, 256};

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
  final Histogram queueSeconds;
  final Histogram computeSeconds;
  final Histogram batchSize;
  final Counter requests;

  public RuntimeMeters() {
    queueSeconds =
        Histogram.builder()
            .name("kairos_runtime_queue_seconds")
            .help("Time a request waited in the batcher's queue")
            .labelNames("model", "version")
            .classicOnly()
            .classicUpperBounds(SECONDS)
            .register(registry);
    computeSeconds =
        Histogram.builder()
            .name("kairos_runtime_compute_seconds")
            .help("Time the engine took for one batch")
            .labelNames("model", "version")
            .classicOnly()
            .classicUpperBounds(SECONDS)
            .register(registry);
    batchSize =
        Histogram.builder()
            .name("kairos_runtime_batch_size")
            .help("Rows per batch handed to the engine")
            .labelNames("model", "version")
            .classicOnly()
            .classicUpperBounds(SIZES)
            .register(registry);
    requests =
        Counter.builder()
            .name("kairos_runtime_requests_total")
            .help("Inference answers by HTTP status code")
            .labelNames("model", "version", "code")
            .register(registry);
  }

  /** Drops every series of one model version (it was unloaded). */
  void remove(String model, String version) {
    queueSeconds.remove(model, version);
    computeSeconds.remove(model, version);
    batchSize.remove(model, version);
    requests.removeIf(labels -> labels.get(0).equals(model) && labels.get(1).equals(version));
  }

  /** Registers a further meter family (a runtime host's own gauges) in the same scrape. */
  public <T extends io.prometheus.metrics.model.registry.Collector> T register(T collector) {
    registry.register(collector);
    return collector;
  }

  public String contentType() {
    return PrometheusTextFormatWriter.CONTENT_TYPE;
  }

  /** The Prometheus text exposition of every meter. */
  public byte[] scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
    try {
      writer.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
