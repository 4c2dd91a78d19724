package dev.kairos.gateway.impl;

import dev.kairos.gateway.GatewayOptions;
import dev.kairos.gateway.activator.Activator;
import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.route.ReplicaSet;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.sdk.oip.InvalidInputException;
import dev.kairos.sdk.oip.OipJsonEncoder;
import dev.kairos.sdk.oip.OipPath;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles every request on the public port: server-level endpoints here, model endpoints forwarded
 * byte for byte to a replica of the chosen version.
 */
public final class GatewayHandler implements Handler<HttpServerRequest> {
  private static final Logger log = LoggerFactory.getLogger(GatewayHandler.class);
  private static final String HEADER_LENGTH = "Inference-Header-Content-Length";
  private static final byte[] LIVE = "{\"live\":true}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] READY = "{\"ready\":true}".getBytes(StandardCharsets.UTF_8);

  private final RouteTable routes;
  private final HttpClient client;
  private final GatewayOptions options;
  private final RandomGenerator random;
  private final OipJsonEncoder encoder = new OipJsonEncoder();
  private final byte[] serverMetadata;
  private final Activator activator;

  public GatewayHandler(
      RouteTable routes, HttpClient client, GatewayOptions options, RandomGenerator random) {
    this(routes, client, options, random, null);
  }

  /**
   * @param activator holds requests for a model without a ready replica; null answers them 503
   */
  public GatewayHandler(
      RouteTable routes,
      HttpClient client,
      GatewayOptions options,
      RandomGenerator random,
      Activator activator) {
    this.activator = activator;
    this.routes = routes;
    this.client = client;
    this.options = options;
    this.random = random;
    String v = GatewayHandler.class.getPackage().getImplementationVersion();
    this.serverMetadata =
        encoder.encodeServerMetadata(
            "kairos", v == null ? "dev" : v, List.of("binary_tensor_data"));
  }

  @Override
  public void handle(HttpServerRequest req) {
    String path = req.path();
    switch (path) {
      case "/v2/health/live" -> send(req, 200, LIVE);
      case "/v2/health/ready" -> ready(req);
      case "/v2" -> send(req, 200, serverMetadata);
      default -> model(req, path);
    }
  }

  private void ready(HttpServerRequest req) {
    for (ModelRoute m : routes.all()) {
      if (m.state() == ModelRoute.State.LOADING) {
        error(req, 503, "model '" + m.name() + "' is still loading");
        return;
      }
    }
    send(req, 200, READY);
  }

  private void model(HttpServerRequest req, String path) {
    OipPath p;
    try {
      p = OipPath.parse(path);
    } catch (InvalidInputException e) {
      error(req, 400, e.getMessage());
      return;
    }
    if (p == null) {
      error(req, 404, "no route for " + req.method() + " " + path);
      return;
    }
    ModelRoute route = routes.find(p.model());
    if (route == null) {
      error(req, 404, "unknown model '" + p.model() + "'");
      return;
    }
    if (route.state() == ModelRoute.State.FAILED) {
      error(req, 503, "model '" + p.model() + "' failed to load: " + route.reason());
      return;
    }
    String version = p.version();
    ReplicaSet replicas;
    if (version != null) {
      replicas = route.existingVersion(version);
      if (replicas == null) {
        error(req, 404, "model '" + p.model() + "' has no version '" + version + "'");
        return;
      }
    } else {
      version = route.chooseVersion(random);
      replicas = version == null ? null : route.existingVersion(version);
    }
    Replica replica = replicas == null ? null : replicas.pick(random).orElse(null);
    if (replica == null && activator != null) {
      holdForReplica(req, path, p);
      return;
    }
    if (replica == null) {
      req.response().putHeader("Retry-After", "1");
      error(req, 503, "model '" + p.model() + "' has no ready replica yet");
      return;
    }
    forward(req, replica);
  }

  /** Scale from zero: the activator holds the request, then it is routed again or refused. */
  private void holdForReplica(HttpServerRequest req, String path, OipPath p) {
    req.pause();
    activator.hold(
        p.model(),
        p.version(),
        () -> {
          model(req, path);
          req.resume();
        },
        why -> {
          req.resume();
          req.response().putHeader("Retry-After", "1");
          error(req, 503, why);
        });
  }

  private void forward(HttpServerRequest req, Replica replica) {
    String declared = req.getHeader("Content-Length");
    if (declared != null && parseLength(declared) > options.maxBodyBytes()) {
      req.response().putHeader("Connection", "close");
      error(req, 413, "request body exceeds " + options.maxBodyBytes() + " bytes");
      return;
    }
    req.body()
        .onFailure(err -> error(req, 400, "cannot read request body: " + err.getMessage()))
        .onSuccess(body -> send(req, replica, body));
  }

  private void send(HttpServerRequest req, Replica replica, Buffer body) {
    if (body.length() > options.maxBodyBytes()) {
      error(req, 413, "request body exceeds " + options.maxBodyBytes() + " bytes");
      return;
    }
    RequestOptions ro =
        new RequestOptions()
            .setMethod(req.method())
            .setHost(replica.host())
            .setPort(replica.port())
            .setURI(req.uri())
            .setIdleTimeout(options.requestTimeout().toMillis());
    String contentType = req.getHeader("Content-Type");
    if (contentType != null) {
      ro.putHeader("Content-Type", contentType);
    }
    String binaryHeader = req.getHeader(HEADER_LENGTH);
    if (binaryHeader != null) {
      ro.putHeader(HEADER_LENGTH, binaryHeader);
    }
    replica.acquire();
    client
        .request(ro)
        .compose(
            creq ->
                (req.method() == HttpMethod.GET ? creq.send() : creq.send(body))
                    .compose(cresp -> cresp.body().map(b -> new Reply(cresp, b))))
        .onComplete(
            ar -> {
              replica.release();
              if (ar.succeeded()) {
                relay(req, ar.result());
              } else {
                log.warn("replica={} request failed: {}", replica, ar.cause().toString());
                req.response().putHeader("Retry-After", "1");
                error(req, 503, "replica of this model is unavailable: " + ar.cause().getMessage());
              }
            });
  }

  private record Reply(HttpClientResponse head, Buffer body) {}

  private static void relay(HttpServerRequest req, Reply reply) {
    HttpServerResponse resp = req.response();
    if (resp.ended()) {
      return;
    }
    resp.setStatusCode(reply.head().statusCode());
    copyHeader(reply.head(), resp, "Content-Type");
    copyHeader(reply.head(), resp, HEADER_LENGTH);
    copyHeader(reply.head(), resp, "Retry-After");
    resp.end(reply.body());
  }

  private static void copyHeader(HttpClientResponse from, HttpServerResponse to, String name) {
    String v = from.getHeader(name);
    if (v != null) {
      to.putHeader(name, v);
    }
  }

  private static long parseLength(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private void error(HttpServerRequest req, int status, String message) {
    send(req, status, encoder.encodeError(message));
  }

  private static void send(HttpServerRequest req, int status, byte[] body) {
    HttpServerResponse resp = req.response();
    if (!resp.ended()) {
      resp.setStatusCode(status)
          .putHeader("Content-Type", "application/json")
          .end(Buffer.buffer(body));
    }
  }
}
