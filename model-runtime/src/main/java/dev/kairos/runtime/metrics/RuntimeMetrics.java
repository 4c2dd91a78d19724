package dev.kairos.runtime.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The replica's meters, exposed as Prometheus text: time in the queue, time in the engine, batch
 * sizes and answers by status code. One registry per replica, never the global one.
 */
public final class RuntimeMetrics {
  private static final double[] SECONDS = {
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10
  };
  private static final double[] SIZES = {1, 2, 4, 8, 16, 32, 64, 128, 256};

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
  private final String model;
  private final String version;
  private final Histogram queueSeconds;
  private final Histogram computeSeconds;
  private final Histogram batchSize;
  private final Counter requests;

  public RuntimeMetrics(String model, String version) {
    this.model = model;
    this.version = version;
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

  public void queued(long nanos) {
    queueSeconds.labelValues(model, version).observe(nanos / 1e9);
  }

  public void computed(long nanos, int rows) {
    computeSeconds.labelValues(model, version).observe(nanos / 1e9);
    batchSize.labelValues(model, version).observe(rows);
  }

  public void answered(int status) {
    requests.labelValues(model, version, Integer.toString(status)).inc();
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
