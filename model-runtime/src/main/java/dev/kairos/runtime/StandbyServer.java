package dev.kairos.runtime;

import dev.kairos.runtime.server.ReplicaTokenCheck;
import dev.kairos.runtime.server.RuntimeServer;
import dev.kairos.runtime.server.StandbyModels;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A replica's HTTP server, started and bound before its model is served: a standby's before it
 * knows its model, so that an assigned standby only has its model to load; a fresh replica's while
 * its model loads, so that neither waits for the other. Until then it answers model requests 503.
 */
final class StandbyServer {
  /** The options the server is bound with: an assignment that changes one needs a new server. */
  private static final List<String> BINDING =
      List.of("host", "port", "cores", "event-loops", "max-body-bytes");

  private final Map<String, String> binding;
  private final Vertx vertx;
  private final StandbyModels models;
  private final RuntimeServer server;

  private StandbyServer(
      Map<String, String> binding, Vertx vertx, StandbyModels models, RuntimeServer server) {
    this.binding = binding;
    this.vertx = vertx;
    this.models = models;
    this.server = server;
  }

  /** Starts Vert.x and binds the server as the replica's options (so far) say. */
  static StandbyServer bind(Map<String, String> opts, ReplicaTokenCheck door) {
    int cores = RuntimeMain.intOpt(opts, "cores", Runtime.getRuntime().availableProcessors());
    int eventLoops = RuntimeMain.intOpt(opts, "event-loops", cores);
    Vertx vertx =
        Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops).setWorkerPoolSize(1));
    StandbyModels models = new StandbyModels(vertx);
    RuntimeServer server =
        new RuntimeServer(
            vertx, models, models, RuntimeMain.intOpt(opts, "max-body-bytes", 64 << 20), door);
    server
        .listen(
            opts.getOrDefault("host", "127.0.0.1"), RuntimeMain.intOpt(opts, "port", 0), eventLoops)
        .toCompletionStage()
        .toCompletableFuture()
        .join();
    Map<String, String> binding = new HashMap<>();
    for (String k : BINDING) {
      if (opts.containsKey(k)) {
        binding.put(k, opts.get(k));
      }
    }
    return new StandbyServer(binding, vertx, models, server);
  }

  /** Whether the replica's options, its assignment included, keep the server as it was bound. */
  boolean fits(Map<String, String> opts) {
    for (String k : BINDING) {
      if (!Objects.equals(binding.get(k), opts.get(k))) {
        return false;
      }
    }
    return true;
  }

  Vertx vertx() {
    return vertx;
  }

  StandbyModels models() {
    return models;
  }

  RuntimeServer server() {
    return server;
  }

  int port() {
    return server.port();
  }

  /** Closes the server and its Vert.x, for an assignment the server does not fit. */
  void close() {
    server.close().toCompletionStage().toCompletableFuture().join();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }
}
