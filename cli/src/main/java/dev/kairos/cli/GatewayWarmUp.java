package dev.kairos.cli;

import dev.kairos.gateway.Gateway;
import dev.kairos.gateway.GatewayOptions;
import dev.kairos.gateway.activator.Activator;
import dev.kairos.gateway.activator.ActivatorOptions;
import dev.kairos.gateway.auth.ApiKeyStore;
import dev.kairos.gateway.auth.ApiKeys;
import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.sdk.replica.ReplicaToken;
import dev.kairos.sdk.time.Clock;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A gateway of serve's own for warming up, listening on loopback and never given to users: its
 * requests go the way a user's request to a model at zero goes through serve's gateway (front,
 * pipeline, held by the activator, released when a replica joins the route table, forwarded to a
 * runtime host), so a fresh serve's first requests find that code loaded and compiled. It has its
 * own route table and metrics: the warm-up model is never in serve's model list, and leaves no
 * series in its metrics. One per host, so hosts warm up in parallel.
 */
final class GatewayWarmUp implements AutoCloseable {
  private static final String VERSION = "1";

  private final RuntimeHost host;
  private final Path modelDir;
  private final String model;
  private final RouteTable routes = new RouteTable();
  private final Activator activator;
  private final Gateway gateway;
  private final HttpClient http = HttpClient.newHttpClient();
  private final URI infer;

  /** The current round's load, started by the activator's demand for the model. */
  private final AtomicReference<CompletableFuture<Replica>> loading = new AtomicReference<>();

  private final AtomicInteger loads = new AtomicInteger();

  private GatewayWarmUp(
      Vertx vertx, RuntimeHost host, Path modelDir, String model, ReplicaToken token) {
    this.host = host;
    this.modelDir = modelDir;
    this.model = model;
    routes.model(model).version(VERSION);
    routes.model(model).markReady();
    this.activator =
        new Activator(
            vertx,
            routes,
            // its holds are the platform's own, not a user's: kept out of serve's log
            ActivatorOptions.defaults().withoutHoldLogs(),
            (m, v, held) -> demand());
    GatewayOptions options = GatewayOptions.defaults().withHost("127.0.0.1").withPort(0);
    if (token != null) {
      options = options.withReplicaToken(token);
    }
    this.gateway =
        new Gateway(
            vertx, options, routes, ApiKeyStore.fixed(ApiKeys.none()), Clock.system(), activator);
    int port = gateway.listen().toCompletionStage().toCompletableFuture().join();
    this.infer = URI.create("http://127.0.0.1:" + port + "/v2/models/" + model + "/infer");
  }

  /** A warm-up gateway in front of {@code host}, for the model in {@code modelDir}. */
  static GatewayWarmUp start(
      Vertx vertx, RuntimeHost host, Path modelDir, String model, ReplicaToken token) {
    return new GatewayWarmUp(vertx, host, modelDir, model, token);
  }

  /** As serve's autoscaler and platform answer a request held at zero: a load into the host. */
  private void demand() {
    CompletableFuture<Replica> next = new CompletableFuture<>();
    if (!loading.compareAndSet(null, next)) {
      return; // this round's load is on its way
    }
    loads.incrementAndGet();
    host.load(modelDir, model, VERSION)
        .thenApply(
            loaded -> {
              Replica r =
                  new Replica(
                      model + " v" + VERSION + "@warm-up",
                      "127.0.0.1",
                      host.port(),
                      loaded.capacity());
              routes.model(model).version(VERSION).add(r);
              return r;
            })
        .whenComplete(
            (r, e) -> {
              if (e != null) {
                next.completeExceptionally(e);
              } else {
                next.complete(r);
              }
            });
  }

  /**
   * One round: a request sent to the model at zero, held until its load into the host is routed,
   * answered by the host; then the replica leaves routing and the model is unloaded.
   */
  CompletableFuture<Void> round(String body) {
    return http.sendAsync(
            HttpRequest.newBuilder(infer)
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .thenCompose(
            answer -> {
              CompletableFuture<Replica> load = loading.getAndSet(null);
              if (load == null) {
                throw new IllegalStateException(
                    "warm-up request answered " + answer.statusCode() + " without a load");
              }
              return load.thenCompose(
                  r -> {
                    routes.model(model).version(VERSION).remove(r.id());
                    if (answer.statusCode() != 200) {
                      throw new IllegalStateException(
                          "warm-up request answered " + answer.statusCode() + ": " + answer.body());
                    }
                    return host.unload(model, VERSION);
                  });
            });
  }

  /** Loads the activator's demand started: one per round whose request was held at zero. */
  int loads() {
    return loads.get();
  }

  /** Replicas of the warm-up model in this gateway's routing now. */
  int routed() {
    return routes.model(model).version(VERSION).size();
  }

  @Override
  public void close() {
    activator.close();
    gateway.close().toCompletionStage().toCompletableFuture().join();
  }
}
