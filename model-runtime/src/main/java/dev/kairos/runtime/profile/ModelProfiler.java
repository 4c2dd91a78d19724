package dev.kairos.runtime.profile;

import dev.kairos.multiplexer.profile.BatchLatency;
import dev.kairos.multiplexer.profile.ModelProfile;
import dev.kairos.runtime.engine.Engine;
import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.runtime.engine.ModelSource;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelVersion;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.time.Clock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Measures a model on this process's device: load time, resident memory the load added, and
 * engine-call latency (p50, p99) per batch size on seeded random inputs shaped by the signature.
 * The result is what placement and the fleet simulator read, stored beside the model by {@code
 * kairos profile}.
 */
public final class ModelProfiler {
  /**
   * How to measure.
   *
   * @param batchSizes the batch sizes to time, each >= 1
   * @param warmup untimed calls per batch size
   * @param iterations timed calls per batch size, >= 10 so a p99 means something
   * @param threads engine threads
   */
  public record Options(List<Integer> batchSizes, int warmup, int iterations, int threads) {
    public Options {
      batchSizes = List.copyOf(batchSizes);
      if (batchSizes.isEmpty() || batchSizes.stream().anyMatch(b -> b < 1)) {
        throw new IllegalArgumentException("batchSizes = " + batchSizes + ", must be >= 1 each");
      }
      if (iterations < 10) {
        throw new IllegalArgumentException("iterations = " + iterations + ", must be >= 10");
      }
      if (threads < 1) {
        throw new IllegalArgumentException("threads = " + threads + ", must be >= 1");
      }
    }
  }

  private final Clock clock;

  public ModelProfiler(Clock clock) {
    this.clock = clock;
  }

  /**
   * @param progress told one line per batch size measured
   */
  public ModelProfile profile(
      ModelDirectory dir,
      ModelVersion version,
      Engine engine,
      Options o,
      Consumer<String> progress) {
    long rssBefore = residentBytes();
    long t0 = clock.monotonicNanos();
    try (LoadedModel loaded =
        engine.load(
            new ModelSource(version.version(), version.artifact(), dir.config(), o.threads()))) {
      long loadNanos = clock.monotonicNanos() - t0;
      long memory = Math.max(0, residentBytes() - rssBefore);
      return measure(dir, version, loaded, o, memory, loadNanos, "kairos profile", progress);
    }
  }

  /**
   * Times engine calls of a model already loaded, as {@link #profile} does after its load.
   *
   * @param memory what the load added to the process's resident memory
   * @param loadNanos how long the load took
   * @param by who measured, for the profile's {@code source}
   */
  public ModelProfile measure(
      ModelDirectory dir,
      ModelVersion version,
      LoadedModel loaded,
      Options o,
      long memory,
      long loadNanos,
      String by,
      Consumer<String> progress) {
    List<BatchLatency> latencies = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(42);
    for (int b : o.batchSizes()) {
      InferenceRequest request =
          SyntheticInputs.request(loaded.signature().inputs(), b, random, dir.name());
      for (int i = 0; i < o.warmup(); i++) {
        loaded.infer(request);
      }
      long[] took = new long[o.iterations()];
      for (int i = 0; i < took.length; i++) {
        long s = clock.monotonicNanos();
        loaded.infer(request);
        took[i] = clock.monotonicNanos() - s;
      }
      Arrays.sort(took);
      BatchLatency l =
          new BatchLatency(
              b,
              Math.max(1, took[took.length / 2]),
              Math.max(1, took[Math.min(took.length - 1, (int) (took.length * 0.99))]));
      latencies.add(l);
      progress.accept(
          String.format(
              java.util.Locale.ROOT,
              "batch %d: p50 %.3f ms, p99 %.3f ms",
              b,
              l.p50Nanos() / 1e6,
              l.p99Nanos() / 1e6));
    }
    return new ModelProfile(
        dir.name(),
        "cpu:" + o.threads(),
        latencies,
        memory,
        loadNanos,
        "measured by "
            + by
            + " ("
            + dir.config().engine()
            + ", version "
            + version.version()
            + ")");
  }

  /** This process's resident memory from /proc, or 0 where there is none. */
  public static long residentBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          String kb = line.substring(6).trim().split("\\s+")[0];
          return Long.parseLong(kb) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    return 0;
  }
}
