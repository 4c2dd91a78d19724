package dev.kairos.runtime;

import dev.kairos.runtime.engine.EngineRegistry;
import dev.kairos.runtime.host.FootprintMeter;
import dev.kairos.runtime.host.HostConfig;
import dev.kairos.runtime.host.HostRepository;
import dev.kairos.runtime.host.ModelHost;
import dev.kairos.runtime.host.ResidentMemory;
import dev.kairos.runtime.host.TrustedPredictors;
import dev.kairos.runtime.metrics.RuntimeMeters;
import dev.kairos.runtime.server.RuntimeServer;
import dev.kairos.sdk.model.Durations;
import dev.kairos.sdk.time.Clock;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code RuntimeMain --shared-host}: a runtime host that starts with no model and loads and unloads
 * model versions through the repository extension while it runs.
 *
 * <pre>
 * java -cp ... dev.kairos.runtime.RuntimeMain --shared-host [--memory-budget 2Gi]
 *     [--max-concurrent-loads 2] [--idle-unload-after 10m] [--model-threads 1] [--workers 1]
 *     [--repository DIR] [--trusted-predictors FILE] [--preload-engines onnxruntime,pytorch]
 *     [--host H] [--port N] [--cores N]
 *     [--event-loops N] [--max-body-bytes N] [--exit-with-parent]
 * </pre>
 *
 * <p>{@code --preload-engines} (default {@code onnxruntime}) starts those engines before the ready
 * line, so their native libraries are neither waited for by a first load nor counted in its
 * footprint; PyTorch's cost memory, so it is started only when asked for.
 *
 * <p>It prints the replica's ready line once listening, with {@code capacity=0}: capacity is each
 * model's, and a load's answer carries it. SIGTERM drains as a replica does.
 */
final class RuntimeHostMain {
  private static final Logger log = LoggerFactory.getLogger(RuntimeHostMain.class);

  private RuntimeHostMain() {}

  static void run(Map<String, String> opts, PrintStream out) {
    int cores = RuntimeMain.intOpt(opts, "cores", Runtime.getRuntime().availableProcessors());
    HostConfig config =
        new HostConfig(
            HostConfig.parseBytes("--memory-budget", opts.getOrDefault("memory-budget", "1Gi")),
            RuntimeMain.intOpt(opts, "max-concurrent-loads", 2),
            duration(opts.getOrDefault("idle-unload-after", "10m")),
            RuntimeMain.intOpt(opts, "model-threads", 1),
            RuntimeMain.intOpt(opts, "workers", 1),
            cores,
            opts.containsKey("trusted-predictors")
                ? TrustedPredictors.read(Path.of(opts.get("trusted-predictors")))
                : TrustedPredictors.none());
    // Engines' native libraries load once per process: outside any model's measured footprint.
    StandbyWarmUp.run();
    EngineRegistry engines = EngineRegistry.discover();
    for (String engine : opts.getOrDefault("preload-engines", "onnxruntime").split(",")) {
      if (!engine.isBlank()) {
        engines.get(engine.trim()).start(config.modelThreads());
      }
    }
    ModelHost host =
        new ModelHost(
            config,
            engines,
            Clock.system(),
            new RuntimeMeters(),
            new FootprintMeter(new ResidentMemory()));
    int eventLoops = RuntimeMain.intOpt(opts, "event-loops", cores);
    Vertx vertx =
        Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops).setWorkerPoolSize(1));
    if (!config.idleUnloadAfter().isZero()) {
      long every = Math.max(1000, Math.min(60_000, config.idleUnloadAfter().toMillis() / 4));
      vertx.setPeriodic(every, id -> vertx.executeBlocking(host::evictIdle, false));
    }
    RuntimeServer server =
        new RuntimeServer(
            vertx,
            host,
            new HostRepository(
                host, opts.containsKey("repository") ? Path.of(opts.get("repository")) : null),
            RuntimeMain.intOpt(opts, "max-body-bytes", 64 << 20),
            // The same door as a replica: with a replica token, only the platform loads or infers.
            RuntimeMain.door());
    server
        .listen(
            opts.getOrDefault("host", "127.0.0.1"), RuntimeMain.intOpt(opts, "port", 0), eventLoops)
        .toCompletionStage()
        .toCompletableFuture()
        .join();
    RuntimeMain.drainOnShutdown(
        out,
        "runtime-host-shutdown",
        () -> {
          log.info("runtime host stopping: finishing requests in progress");
          server.shutdown(RuntimeMain.DRAIN_GRACE).toCompletionStage().toCompletableFuture().join();
          host.close();
          vertx.close();
        });
    log.info(
        "runtime host serving on port {}: memory budget {} bytes, {} loads at once",
        server.port(),
        config.memoryBudgetBytes(),
        config.maxConcurrentLoads());
    out.println(RuntimeMain.READY_PREFIX + server.port() + RuntimeMain.CAPACITY_FIELD + 0);
    out.flush();
  }

  private static Duration duration(String text) {
    if (text.equals("0")) {
      return Duration.ZERO;
    }
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--idle-unload-after: " + e.getMessage());
    }
  }
}
