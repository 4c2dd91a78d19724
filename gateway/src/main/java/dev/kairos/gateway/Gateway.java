package dev.kairos.gateway;

import dev.kairos.gateway.activator.Activator;
import dev.kairos.gateway.auth.ApiKeyStore;
import dev.kairos.gateway.metrics.GatewayMetrics;
import dev.kairos.gateway.metrics.GatewayMetrics.Rejection;
import dev.kairos.gateway.pipeline.GrpcFront;
import dev.kairos.gateway.pipeline.HttpFront;
import dev.kairos.gateway.pipeline.Pipeline;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.sdk.time.Clock;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The public front door: Open Inference Protocol v2 over HTTP (plus KServe v1 and DJL Serving's
 * {@code /predictions}) for every model in a {@link RouteTable}, forwarding OIP bodies unparsed to
 * the chosen replica; OpenAI and Triton generate requests, and OIP over gRPC on its own port. Every
 * protocol enters the same {@link Pipeline} (admit, route, forward, relay). Authentication, limits,
 * resilience and metrics are set by {@link GatewayOptions} and the {@link ApiKeyStore}; the admin
 * API is a separate server ({@link dev.kairos.gateway.admin.AdminServer}) on its own port.
 */
public final class Gateway {
  private final Vertx vertx;
  private final GatewayOptions options;
  private final RouteTable routes;
  private final ApiKeyStore keys;
  private final Clock time;
  private final GatewayMetrics metrics;
  private final List<HttpServer> servers = new ArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();

  /** Connections over the limit: their requests are answered 503 and the connection closed. */
  private final Set<HttpConnection> refused = ConcurrentHashMap.newKeySet();

  private final Activator activator;
  private final Supplier<? extends RandomGenerator> random;
  private HttpClient client;
  private Pipeline pipeline;
  private HttpFront handler;
  private long reloadTimer = -1;
  private int port;
  private int grpcPort;

  public Gateway(Vertx vertx, GatewayOptions options, RouteTable routes) {
    this(
        vertx,
        options,
        routes,
        ApiKeyStore.fixed(dev.kairos.gateway.auth.ApiKeys.none()),
        Clock.system());
  }

  public Gateway(
      Vertx vertx, GatewayOptions options, RouteTable routes, ApiKeyStore keys, Clock time) {
    this(vertx, options, routes, keys, time, null);
  }

  /**
   * @param activator holds requests for models without a ready replica (scale from zero) and
   *     signals demand; null answers them 503 at once
   */
  public Gateway(
      Vertx vertx,
      GatewayOptions options,
      RouteTable routes,
      ApiKeyStore keys,
      Clock time,
      Activator activator) {
    this(vertx, options, routes, keys, time, activator, ThreadLocalRandom::current);
  }

  /**
   * @param random the random source of the calling thread, for the traffic split and the choice of
   *     replica; asked on every request, so each event loop draws from its own. In production it is
   *     {@link ThreadLocalRandom#current()}: seeded afresh in every process, so gateways behind one
   *     load balancer do not all draw the same sequence. Tests may hand in seeded sources.
   */
  public Gateway(
      Vertx vertx,
      GatewayOptions options,
      RouteTable routes,
      ApiKeyStore keys,
      Clock time,
      Activator activator,
      Supplier<? extends RandomGenerator> random) {
    this.activator = activator;
    this.random = random;
    this.vertx = vertx;
    this.options = options;
    this.routes = routes;
    this.keys = keys;
    this.time = time;
    this.metrics = new GatewayMetrics(routes);
  }

  public RouteTable routes() {
    return routes;
  }

  public ApiKeyStore keys() {
    return keys;
  }

  public GatewayMetrics metrics() {
    return metrics;
  }

  /** Binds the public port (one server per event loop); completes with the bound port. */
  public Future<Integer> listen() {
    client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setKeepAlive(true)
                .setTcpNoDelay(true)
                .setPipelining(false)
                .setDecompressionSupported(false),
            new PoolOptions()
                .setHttp1MaxSize(options.maxConnectionsPerReplica())
                .setMaxWaitQueueSize(-1));
    pipeline = new Pipeline(vertx, routes, client, options, keys, metrics, time, random, activator);
    handler = new HttpFront(pipeline, routes, options.maxBodyBytes());
    int loops =
        options.eventLoops() > 0
            ? options.eventLoops()
            : Runtime.getRuntime().availableProcessors();
    // One server per event loop, all on one port. Vert.x shares a port between servers asking for
    // the same port number; for port 0 each would get its own random port, so ask instead for a
    // negative number of this gateway's own, which Vert.x reads as "one random port, shared".
    int requested =
        options.port() != 0 ? options.port() : -1 - (System.identityHashCode(this) & 0xffff);
    Future<Integer> first = bind(handler, requested);
    for (int i = 1; i < loops; i++) {
      first = first.compose(p -> bind(handler, requested).map(p));
    }
    reloadTimer =
        vertx.setPeriodic(
            5_000,
            id ->
                vertx.executeBlocking(
                    () -> {
                      keys.reloadIfChanged();
                      return null;
                    }));
    return first.onSuccess(p -> port = p);
  }

  private Future<Integer> bind(HttpFront handler, int onPort) {
    HttpServerOptions so =
        new HttpServerOptions()
            .setHost(options.host())
            .setPort(onPort)
            .setTcpNoDelay(true)
            .setMaxHeaderSize(options.maxHeaderBytes())
            .setMaxInitialLineLength(Math.min(options.maxHeaderBytes(), 8192))
            .setHttp2ClearTextEnabled(false)
            .setCompressionSupported(false)
            .setDecompressionSupported(false)
            // The gateway serves no WebSockets: without these, every connection's pipeline holds
            // a WebSocket extension handler that looks at every request.
            .setPerMessageWebSocketCompressionSupported(false)
            .setPerFrameWebSocketCompressionSupported(false);
    if (options.tls() != null) {
      so.setSsl(true)
          .setKeyCertOptions(
              new PemKeyCertOptions()
                  .setCertPath(options.tls().certificate().toString())
                  .setKeyPath(options.tls().privateKey().toString()));
    }
    HttpServer server = vertx.createHttpServer(so);
    server.invalidRequestHandler(dev.kairos.gateway.impl.MalformedHttp::answer);
    server.connectionHandler(
        conn -> {
          if (connections.incrementAndGet() > options.maxConnections()) {
            metrics.rejected(null, Rejection.TOO_MANY_CONNECTIONS);
            refused.add(conn);
          } else {
            // Model calls below Vert.x's request objects; a refused connection's requests stay
            // with Vert.x, which answers them 503 below.
            handler.takeModelCalls(conn);
          }
          conn.closeHandler(
              v -> {
                refused.remove(conn);
                connections.decrementAndGet();
              });
        });
    servers.add(server);
    return server
        .requestHandler(
            req -> {
              if (!refused.isEmpty() && refused.contains(req.connection())) {
                req.response()
                    .setStatusCode(503)
                    .putHeader("Connection", "close")
                    .putHeader("Retry-After", "1")
                    .putHeader("Content-Type", "application/json")
                    .end("{\"error\":\"too many connections\"}");
                req.connection().close();
                return;
              }
              handler.handle(req);
            })
        .listen()
        .map(HttpServer::actualPort);
  }

  public int port() {
    return port;
  }

  /**
   * Binds the Open Inference Protocol's gRPC service on its own port (HTTP/2, TLS when the public
   * port has it), in front of the same routes, keys, limits and replicas as REST. Call after {@link
   * #listen()}; port 0 picks a free one. Completes with the bound port.
   */
  public Future<Integer> listenGrpc(int onPort) {
    if (handler == null) {
      throw new IllegalStateException("listen() first: gRPC shares the REST port's machinery");
    }
    Handler<HttpServerRequest> grpc =
        new GrpcFront(pipeline, routes).handler(vertx, options.maxBodyBytes());
    int loops =
        options.eventLoops() > 0
            ? options.eventLoops()
            : Runtime.getRuntime().availableProcessors();
    int requested = onPort != 0 ? onPort : -1 - ((System.identityHashCode(grpc) & 0x7fff) + 1);
    Future<Integer> first = bindGrpc(grpc, requested);
    for (int i = 1; i < loops; i++) {
      first = first.compose(p -> bindGrpc(grpc, requested).map(p));
    }
    return first.onSuccess(p -> grpcPort = p);
  }

  private Future<Integer> bindGrpc(Handler<HttpServerRequest> grpc, int onPort) {
    HttpServerOptions so =
        new HttpServerOptions()
            .setHost(options.host())
            .setPort(onPort)
            .setTcpNoDelay(true)
            .setHttp2ClearTextEnabled(true)
            .setCompressionSupported(false);
    // Large tensors: a 64 KiB HTTP/2 window would cost a round trip per 64 KiB.
    so.getInitialSettings().setInitialWindowSize(4 << 20).setMaxFrameSize(1 << 20);
    so.setHttp2ConnectionWindowSize(16 << 20);
    if (options.tls() != null) {
      so.setSsl(true)
          .setUseAlpn(true)
          .setKeyCertOptions(
              new PemKeyCertOptions()
                  .setCertPath(options.tls().certificate().toString())
                  .setKeyPath(options.tls().privateKey().toString()));
    }
    HttpServer server = vertx.createHttpServer(so);
    servers.add(server);
    return dev.kairos.gateway.impl.ClearTextUpgrade.refuse(server, grpc)
        .listen()
        .map(HttpServer::actualPort);
  }

  /** The gRPC port, once {@link #listenGrpc(int)} completed; 0 before. */
  public int grpcPort() {
    return grpcPort;
  }

  /**
   * Model calls the public port took below Vert.x's HTTP server since it started (OIP infer with a
   * small body; see {@link HttpFront#takeModelCalls}); the rest went through Vert.x's.
   */
  public long callsTakenBelowVertx() {
    return handler == null ? 0 : handler.takenBelowVertx();
  }

  /** Client connections open now. */
  public int connections() {
    return connections.get();
  }

  /**
   * Stops gracefully: the public port takes no new connections at once, requests in progress
   * (forwarded, queued or held) finish up to {@code grace}, then every connection closes.
   */
  public Future<Void> shutdown(java.time.Duration grace) {
    if (reloadTimer >= 0) {
      vertx.cancelTimer(reloadTimer);
    }
    List<Future<Void>> closing = new ArrayList<>();
    for (HttpServer s : servers) {
      closing.add(s.shutdown(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
    }
    return Future.all(closing)
        .compose(v -> pipeline == null ? Future.succeededFuture() : pipeline.close())
        .compose(v -> client == null ? Future.succeededFuture() : client.close());
  }

  public Future<Void> close() {
    if (reloadTimer >= 0) {
      vertx.cancelTimer(reloadTimer);
    }
    List<Future<Void>> closing = new ArrayList<>();
    for (HttpServer s : servers) {
      closing.add(s.close());
    }
    return Future.all(closing)
        .compose(v -> pipeline == null ? Future.succeededFuture() : pipeline.close())
        .compose(v -> client == null ? Future.succeededFuture() : client.close());
  }
}
