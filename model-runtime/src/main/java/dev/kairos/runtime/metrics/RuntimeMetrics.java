package dev.kairos.runtime.metrics;

/**
 * One model version's meters: time in the queue, time in the engine, batch sizes and answers by
 * status code, as series labelled with the model and version in its process's {@link
 * RuntimeMeters}.
 */
public final class RuntimeMetrics implements AutoCloseable {
  private final RuntimeMeters meters;
  private final String model;
  private final String version;

  /** The meters of a process that serves this one model version. */
  public RuntimeMetrics(String model, String version) {
    this(new RuntimeMeters(), model, version);
  }

  /** This model version's series in meters it shares with the other models of its host. */
  public RuntimeMetrics(RuntimeMeters meters, String model, String version) {
    this.meters = meters;
    this.model = model;
    this.version = version;
  }

  public void queued(long nanos) {
    meters.queueSeconds.labelValues(model, version).observe(nanos / 1e9);
  }

  public void computed(long nanos, int rows) {
    meters.computeSeconds.labelValues(model, version).observe(nanos / 1e9);
    meters.batchSize.labelValues(model, version).observe(rows);
  }

  public void answered(int status) {
    meters.requests.labelValues(model, version, Integer.toString(status)).inc();
  }

  /** The process's meter families these series live in. */
  public RuntimeMeters meters() {
    return meters;
  }

  public String contentType() {
    return meters.contentType();
  }

  /** The Prometheus text exposition of every meter of the process. */
  public byte[] scrape() {
    return meters.scrape();
  }

  /** Drops this model version's series: it is no longer served here. */
  @Override
  public void close() {
    meters.remove(model, version);
  }
}
