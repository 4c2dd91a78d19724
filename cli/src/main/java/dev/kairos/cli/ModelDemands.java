package dev.kairos.cli;

import dev.kairos.multiplexer.device.Device;
import dev.kairos.multiplexer.placement.ModelDemand;
import dev.kairos.multiplexer.placement.WorkloadClass;
import dev.kairos.multiplexer.profile.BatchLatency;
import dev.kairos.multiplexer.profile.ModelProfile;
import dev.kairos.multiplexer.profile.ProfileStore;
import dev.kairos.multiplexer.serving.ServedModel;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.sdk.model.DeviceConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What placement is told of a model of the repository: its profile (the {@code profile.json} that
 * {@code kairos profile} or the model's first load measured; until then an estimate from the
 * artifact's size), its request rate as the gateway has seen it, its class from {@code
 * device.class}, and a latency target: a light model's p99 within {@value #LIGHT_SLO_MS} ms, a
 * heavy one's within {@value #HEAVY_SLO_MS} ms, and never tighter than a few times what the model
 * takes alone, so that a slow model is not an impossible one.
 */
final class ModelDemands {
  static final long LIGHT_SLO_MS = 25;
  static final long HEAVY_SLO_MS = 250;
  private static final long MS = 1_000_000L;
  private static final Logger log = LoggerFactory.getLogger(ModelDemands.class);

  private final ToDoubleFunction<String> rates;

  /**
   * @param rates requests per second each model receives, by name
   */
  ModelDemands(ToDoubleFunction<String> rates) {
    this.rates = rates;
  }

  ServedModel of(ModelDirectory dir) {
    DeviceConfig device = dir.config().device();
    ModelProfile profile = profile(dir);
    if (device.memoryBytes() > 0) {
      // a declared cap is what the model may take on the device, whatever its last load measured
      profile =
          new ModelProfile(
              profile.model(),
              profile.device(),
              profile.latencies(),
              device.memoryBytes(),
              profile.loadNanos(),
              profile.source());
    }
    WorkloadClass cls = WorkloadClass.of(device.workloadClass());
    long floor = (cls == WorkloadClass.HEAVY ? HEAVY_SLO_MS : LIGHT_SLO_MS) * MS;
    long slo = Math.max(floor, 4 * profile.p99Nanos(1));
    double rate = Math.max(0, rates.applyAsDouble(dir.name()));
    return new ServedModel(
        new ModelDemand(dir.name(), profile, rate, slo, cls),
        device.isGpu() ? Device.Kind.GPU : Device.Kind.CPU);
  }

  /** A profile read from disk, kept while its file's modification time stays the same. */
  private record Read(long modified, ModelProfile profile) {}

  private final java.util.Map<java.nio.file.Path, Read> read =
      new java.util.concurrent.ConcurrentHashMap<>();

  private ModelProfile profile(ModelDirectory dir) {
    java.nio.file.Path file = dir.dir().resolve(ProfileStore.FILE);
    try {
      long modified = Files.getLastModifiedTime(file).toMillis();
      Read r = read.get(file);
      if (r != null && r.modified() == modified) {
        return r.profile();
      }
      var stored = ProfileStore.read(dir.dir());
      if (stored.isPresent()) {
        read.put(file, new Read(modified, stored.get()));
        return stored.get();
      }
    } catch (java.nio.file.NoSuchFileException e) {
      // not profiled yet
    } catch (IOException e) {
      log.warn("model={} {}; placing it on an estimate", dir.name(), e.getMessage());
    }
    return estimate(dir);
  }

  /** Until a load measures it: memory twice the artifact, a millisecond per call. */
  static ModelProfile estimate(ModelDirectory dir) {
    long size = 0;
    try {
      size = Files.size(dir.latest().artifact());
    } catch (IOException | RuntimeException e) {
      // a directory artifact or none: size unknown
    }
    return new ModelProfile(
        dir.name(),
        "estimate",
        List.of(new BatchLatency(1, MS, 2 * MS)),
        2 * size,
        0,
        "estimated until its first load measures it");
  }
}
