package dev.kairos.gateway;

import dev.kairos.gateway.activator.Activator;
import dev.kairos.gateway.impl.GatewayHandler;
import dev.kairos.gateway.route.RouteTable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import java.util.SplittableRandom;

/**
 * The public front door: Open Inference Protocol v2 over HTTP for every model in a {@link
 * RouteTable}, forwarding request bodies unparsed to the chosen replica.
 */
public final class Gateway {
  private final Vertx vertx;
  private final GatewayOptions options;
  private final RouteTable routes;
  private HttpServer server;
  private HttpClient client;
  private final Activator activator;

  public Gateway(Vertx vertx, GatewayOptions options, RouteTable routes) {
    this(vertx, options, routes, null);
  }

  /**
   * @param activator holds requests for models without a ready replica (scale from zero); null
   *     answers them 503 at once
   */
  public Gateway(Vertx vertx, GatewayOptions options, RouteTable routes, Activator activator) {
    this.activator = activator;
    this.vertx = vertx;
    this.options = options;
    this.routes = routes;
  }

  public RouteTable routes() {
    return routes;
  }

  /** Binds the public port; completes with the bound port. */
  public Future<Integer> listen() {
    client =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setPipelining(false),
            new PoolOptions().setHttp1MaxSize(options.maxConnectionsPerReplica()));
    GatewayHandler handler =
        new GatewayHandler(routes, client, options, new SplittableRandom(), activator);
    server =
        vertx.createHttpServer(
            new HttpServerOptions()
                .setHost(options.host())
                .setPort(options.port())
                .setTcpNoDelay(true));
    return server.requestHandler(handler).listen().map(HttpServer::actualPort);
  }

  public int port() {
    return server.actualPort();
  }

  public Future<Void> close() {
    Future<Void> s = server == null ? Future.succeededFuture() : server.close();
    return s.compose(v -> client == null ? Future.succeededFuture() : client.close());
  }
}
