package dev.kairos.runtime.profile;

import dev.kairos.multiplexer.profile.ModelProfile;
import dev.kairos.multiplexer.profile.ProfileStore;
import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelVersion;
import dev.kairos.sdk.time.Clock;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model's profile measured where it is first loaded, when nobody stored one ({@code kairos
 * profile} does it at more batch sizes and with more calls): a replica that has just loaded a model
 * without a {@code profile.json} times a few engine calls at batch 1 and at a larger batch, and
 * stores the result beside the model for placement to read. Later loads find it and skip this.
 * Bounded: the larger batch is left out when its calls would take more than {@link #BUDGET_NANOS}.
 * A folder it cannot write leaves the model unprofiled, and the replica serves.
 */
public final class FirstLoadProfile {
  static final long BUDGET_NANOS = 2_000_000_000L;
  private static final int WARMUP = 3;
  private static final int ITERATIONS = 10;
  private static final int LARGEST_BATCH = 4;
  private static final Logger log = LoggerFactory.getLogger(FirstLoadProfile.class);

  private FirstLoadProfile() {}

  /**
   * Measures and stores the profile of {@code loaded} unless {@code dir} has one.
   *
   * @param memory what the load added to the process's resident memory
   * @param loadNanos how long the load took
   * @return the profile written, or empty when one existed or it could not be measured or stored
   */
  public static Optional<ModelProfile> ensure(
      ModelDirectory dir,
      ModelVersion version,
      LoadedModel loaded,
      int threads,
      long memory,
      long loadNanos,
      Clock clock) {
    if (Files.exists(dir.dir().resolve(ProfileStore.FILE)) || !Files.isWritable(dir.dir())) {
      return Optional.empty();
    }
    try {
      ModelProfiler profiler = new ModelProfiler(clock);
      ModelProfile one =
          profiler.measure(
              dir, version, loaded, options(List.of(1), threads), memory, loadNanos, "", l -> {});
      int largest = Math.min(LARGEST_BATCH, dir.config().batching().maxBatchSize());
      List<Integer> sizes = new ArrayList<>(List.of(1));
      if (largest > 1 && one.p50Nanos(1) * (long) largest * (WARMUP + ITERATIONS) <= BUDGET_NANOS) {
        sizes.add(largest);
      }
      ModelProfile profile =
          profiler.measure(
              dir,
              version,
              loaded,
              options(sizes, threads),
              memory,
              loadNanos,
              "its first load",
              l -> {});
      ProfileStore.write(dir.dir(), profile);
      log.info(
          "model={} version={} profiled at its first load: {} (stored as {})",
          dir.name(),
          version.version(),
          profile.latencies(),
          ProfileStore.FILE);
      return Optional.of(profile);
    } catch (IOException | RuntimeException e) {
      log.info("model={} not profiled at load: {}", dir.name(), e.toString());
      return Optional.empty();
    }
  }

  private static ModelProfiler.Options options(List<Integer> sizes, int threads) {
    return new ModelProfiler.Options(sizes, WARMUP, ITERATIONS, Math.max(1, threads));
  }
}
