package dev.kairos.runtime;

import dev.kairos.generative.GenerationException;
import dev.kairos.generative.GenerativeModel;
import dev.kairos.generative.StepGate;
import dev.kairos.multiplexer.arbiter.ArbiterClient;
import dev.kairos.multiplexer.arbiter.DeviceLease;
import dev.kairos.multiplexer.arbiter.SliceRejectedException;
import dev.kairos.multiplexer.arbiter.SliceRequest;
import dev.kairos.multiplexer.arbiter.uds.UnixSocketArbiterClient;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelVersion;
import dev.kairos.runtime.server.GenerateRoutes;
import dev.kairos.runtime.server.ReplicaTokenCheck;
import dev.kairos.sdk.time.Clock;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica of a text-generation model ({@code task: text-generation}): the generative engine
 * behind the OpenAI and Triton generate routes, instead of the tensor path's batcher.
 */
final class GenerativeReplica {
  private static final Logger log = LoggerFactory.getLogger(GenerativeReplica.class);

  private GenerativeReplica() {}

  /**
   * Each model step is one slice of the device arbiter: a light model sharing the device waits at
   * most one decode step or one bounded prefill chunk.
   */
  static StepGate stepGate(
      String model, ArbiterClient arbiter, dev.kairos.sdk.model.ModelConfig config) {
    int priority = "heavy".equals(config.device().workloadClass()) ? 0 : 10;
    return (sequences, tokens, estimatedNanos) -> {
      DeviceLease lease;
      try {
        lease = arbiter.acquire(new SliceRequest(model, estimatedNanos, priority, Long.MAX_VALUE));
      } catch (SliceRejectedException e) {
        throw new GenerationException.Busy(
            "the device arbiter refused the step: " + e.getMessage());
      }
      return lease::close;
    };
  }

  static void serve(
      ModelDirectory dir,
      ModelVersion version,
      String host,
      int port,
      int cores,
      int maxBodyBytes,
      String arbiterSocket,
      ReplicaTokenCheck door,
      PrintStream out) {
    if (version.artifact() == null || !version.artifact().toString().endsWith(".onnx")) {
      throw new IllegalStateException(
          "model '" + dir.name() + "' version " + version.version() + " has no .onnx decoder");
    }
    ArbiterClient arbiter =
        arbiterSocket == null
            ? ArbiterClient.unshared()
            : new UnixSocketArbiterClient(Path.of(arbiterSocket), Clock.system());
    GenerativeModel model =
        GenerativeModel.load(
            dir.name(),
            version.artifact(),
            dir.config().generation(),
            cores,
            Clock.system(),
            stepGate(dir.name(), arbiter, dir.config()));
    // One event loop: it only relays tokens; the engine's own thread does the work.
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    HttpServer server =
        vertx
            .createHttpServer(
                new HttpServerOptions()
                    .setHost(host)
                    .setPort(port)
                    .setTcpNoDelay(true)
                    // HTTP/1.1 only, as RuntimeServer: no h2c upgrade, whose body has no
                    // back-pressure
                    .setHttp2ClearTextEnabled(false))
            .requestHandler(
                new GenerateRoutes(
                    model, version.version(), maxBodyBytes, Clock.system(), vertx, door));
    int actual = server.listen().toCompletionStage().toCompletableFuture().join().actualPort();
    RuntimeMain.drainOnShutdown(
        out,
        "runtime-shutdown",
        () -> {
          server
              .shutdown(
                  RuntimeMain.DRAIN_GRACE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
              .toCompletionStage()
              .toCompletableFuture()
              .join();
          try {
            model.close();
          } catch (Exception e) {
            log.warn("model={} engine did not stop cleanly", dir.name(), e);
          }
          arbiter.close();
          vertx.close();
        });
    log.info(
        "model={} version={} generating on port {} ({} running x {} tokens of context)",
        dir.name(),
        version.version(),
        actual,
        model.engine().config().maxRunning(),
        model.engine().config().contextLength());
    int capacity = model.engine().config().maxRunning() + model.engine().config().maxWaiting();
    out.println(RuntimeMain.READY_PREFIX + actual + RuntimeMain.CAPACITY_FIELD + capacity);
    out.flush();
  }
}
