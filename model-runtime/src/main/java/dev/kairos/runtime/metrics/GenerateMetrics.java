package dev.kairos.runtime.metrics;

import dev.kairos.generative.EngineStats;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A text-generation replica's meters: time to first token, time per output token, end-to-end
 * latency, tokens, the running and waiting sequences, KV blocks used and free, preemptions and the
 * prefix cache. Read from the engine's {@link EngineStats} at scrape time.
 */
public final class GenerateMetrics {
  private static final double[] SECONDS = {
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120
  };

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
  private final String model;
  private final Counter requests;

  public GenerateMetrics(String model, EngineStats stats) {
    this.model = model;
    Histogram ttft =
        seconds("kairos_generate_time_to_first_token_seconds", "From arrival to the first token");
    Histogram tpot =
        seconds(
            "kairos_generate_time_per_output_token_seconds",
            "Mean time between output tokens of a sequence");
    Histogram e2e =
        seconds(
            "kairos_generate_e2e_seconds",
            "From arrival to the last token of a finished generation");
    stats.timeToFirstToken.listen(n -> ttft.labelValues(model).observe(n / 1e9));
    stats.endToEnd.listen(n -> e2e.labelValues(model).observe(n / 1e9));
    stats.timePerOutputToken.listen(n -> tpot.labelValues(model).observe(n / 1e9));
    gauge("kairos_generate_running_sequences", "Sequences in the running batch", stats.running);
    gauge("kairos_generate_waiting_sequences", "Sequences waiting for admission", stats.waiting);
    gauge("kairos_generate_kv_blocks_used", "KV-cache blocks held by sequences", stats.blocksUsed);
    gauge(
        "kairos_generate_kv_blocks_free",
        "KV-cache blocks free (cached prefixes included)",
        stats.blocksFree);
    counter(
        "kairos_generate_prompt_tokens",
        "Prompt tokens computed (prefix-cache hits excluded)",
        stats.promptTokens);
    counter("kairos_generate_output_tokens", "Tokens generated", stats.generatedTokens);
    counter(
        "kairos_generate_preemptions",
        "Sequences preempted for KV memory (recomputed later)",
        stats.preemptions);
    counter(
        "kairos_generate_prefix_cache_queries",
        "Full prompt blocks looked up in the prefix cache",
        stats.prefixLookups);
    counter(
        "kairos_generate_prefix_cache_hits",
        "Full prompt blocks found in the prefix cache",
        stats.prefixHits);
    counter(
        "kairos_generate_cancelled",
        "Sequences cancelled because their client left",
        stats.cancelled);
    requests =
        Counter.builder()
            .name("kairos_generate_requests_total")
            .help("Generation answers by HTTP status code")
            .labelNames("model", "code")
            .register(registry);
  }

  public void answered(int status) {
    requests.labelValues(model, Integer.toString(status)).inc();
  }

  private Histogram seconds(String name, String help) {
    return Histogram.builder()
        .name(name)
        .help(help)
        .labelNames("model")
        .classicOnly()
        .classicUpperBounds(SECONDS)
        .register(registry);
  }

  private void gauge(String name, String help, AtomicInteger value) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames("model")
        .callback(cb -> cb.call(value.get(), model))
        .register(registry);
  }

  private void counter(String name, String help, AtomicLong value) {
    Supplier<Long> read = value::get;
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames("model")
        .callback(cb -> cb.call(read.get(), model))
        .register(registry);
  }

  public String contentType() {
    return PrometheusTextFormatWriter.CONTENT_TYPE;
  }

  public String scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
    try {
      writer.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }
}
