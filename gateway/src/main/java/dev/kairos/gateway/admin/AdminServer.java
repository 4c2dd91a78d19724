package dev.kairos.gateway.admin;

import dev.kairos.gateway.auth.ApiKey;
import dev.kairos.gateway.auth.ApiKeyStore;
import dev.kairos.gateway.auth.Credentials;
import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.route.ReplicaSet;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.sdk.oip.OipPath;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API, on its own port (loopback by default), every request authenticated with a key that
 * has the {@code admin} scope.
 *
 * <pre>
 * GET  /admin/models                      every model: state, versions, traffic, replicas
 * GET  /admin/models/{m}                  one model
 * POST /admin/models/{m}/load             load (or reload) from the repository
 * POST /admin/models/{m}/unload
 * GET  /admin/models/{m}/traffic          PUT with {"1": 90, "2": 10}
 * GET  /admin/models/{m}/scaling          PUT with the knobs to change
 * POST /admin/keys/reload                 read the API keys file again
 * POST /v2/repository/index               OIP model repository extension
 * POST /v2/repository/models/{m}/load
 * POST /v2/repository/models/{m}/unload
 * </pre>
 *
 * Others add endpoints with {@link #install(AdminExtension)}.
 */
public final class AdminServer {
  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

  private final Vertx vertx;
  private final AdminOptions options;
  private final PlatformControl platform;
  private final RouteTable routes;
  private final ApiKeyStore keys;
  private final Router router;
  private final AdminGrpc grpc;
  private final List<String> publicPrefixes = new CopyOnWriteArrayList<>();
  private HttpServer server;

  public AdminServer(
      Vertx vertx,
      AdminOptions options,
      PlatformControl platform,
      RouteTable routes,
      ApiKeyStore keys) {
    this.vertx = vertx;
    this.options = options;
    this.platform = platform;
    this.routes = routes;
    this.keys = keys;
    this.router = Router.router(vertx);
    this.grpc = new AdminGrpc(vertx, platform, keys);
    // Vert.x's JSON codec builds Jackson's mapper on first use: here, not on the event loop that
    // decodes the first admin body.
    new JsonObject("{}").encode();
    router.route().handler(this::authenticate);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(options.maxBodyBytes());
    // The platform reads the model repository and may wait on processes: its calls run on worker
    // threads, never on this server's event loop, which the public gateway's loops may share.
    router.get("/admin/models").handler(ctx -> blocking(ctx, this::modelList));
    router
        .get("/admin/models/:model")
        .handler(
            ctx -> {
              String name = name(ctx);
              blocking(ctx, () -> model(name));
            });
    router.post("/admin/models/:model/load").handler(ctx -> load(ctx, false));
    router.post("/admin/models/:model/unload").handler(ctx -> unload(ctx, false));
    router
        .get("/admin/models/:model/traffic")
        .handler(
            ctx -> {
              String name = name(ctx);
              blocking(ctx, () -> new JsonObject(toObjects(platform.model(name).traffic())));
            });
    router.put("/admin/models/:model/traffic").handler(body).handler(this::setTraffic);
    router
        .get("/admin/models/:model/scaling")
        .handler(
            ctx -> {
              String name = name(ctx);
              blocking(ctx, () -> new JsonObject(platform.scaling(name)));
            });
    router.put("/admin/models/:model/scaling").handler(body).handler(this::setScaling);
    router.post("/admin/keys/reload").handler(this::reloadKeys);
    router.post("/v2/repository/index").handler(body).handler(this::repositoryIndex);
    router.post("/v2/repository/models/:model/load").handler(body).handler(ctx -> load(ctx, true));
    router
        .post("/v2/repository/models/:model/unload")
        .handler(body)
        .handler(ctx -> unload(ctx, true));
    router
        .route()
        .last()
        .handler(
            ctx ->
                error(
                    ctx,
                    404,
                    "no admin route for " + ctx.request().method() + " " + ctx.request().path()));
    router.route().failureHandler(this::failure);
  }

  /** Adds endpoints; they run after the admin key check. */
  public AdminServer install(AdminExtension extension) {
    extension.install(router);
    return this;
  }

  /**
   * Adds routes under {@code prefix} that answer without a key: static pages only (the console's
   * HTML, scripts and styles), never data; the pages ask the admin API for data with the key.
   */
  public AdminServer installPublic(String prefix, AdminExtension extension) {
    if (!prefix.startsWith("/") || prefix.startsWith("/admin") || prefix.startsWith("/v2")) {
      throw new IllegalArgumentException("public prefix '" + prefix + "' must not hold API routes");
    }
    publicPrefixes.add(prefix);
    extension.install(router);
    return this;
  }

  /** Binds the admin port; completes with the bound port. */
  public Future<Integer> listen() {
    server =
        vertx.createHttpServer(
            new HttpServerOptions()
                .setHost(options.host())
                .setPort(options.port())
                .setHttp2ClearTextEnabled(true));
    // gRPC calls (the repository extension) beside the REST router, on the same port
    return dev.kairos.gateway.impl.ClearTextUpgrade.refuse(
            server,
            req -> {
              if (AdminGrpc.isGrpc(req)) {
                grpc.handle(req);
              } else {
                router.handle(req);
              }
            })
        .listen()
        .map(HttpServer::actualPort)
        .onSuccess(p -> log.info("admin api listening on {}:{}", options.host(), p));
  }

  public int port() {
    return server.actualPort();
  }

  public Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void authenticate(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    for (String p : publicPrefixes) {
      if (path.equals(p) || path.startsWith(p.endsWith("/") ? p : p + "/")) {
        ctx.next();
        return;
      }
    }
    String secret = Credentials.secret(ctx.request());
    if (secret == null) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      error(ctx, 401, "the admin API needs an API key (Authorization: Bearer <key>)");
      return;
    }
    ApiKey key = keys.current().find(secret);
    if (key == null) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      error(ctx, 401, "unknown API key");
      return;
    }
    if (!key.admin()) {
      error(ctx, 403, "API key '" + key.name() + "' has no admin scope");
      return;
    }
    ctx.next();
  }

  private JsonArray modelList() {
    JsonArray out = new JsonArray();
    for (ModelStatus s : platform.models()) {
      out.add(describe(s));
    }
    return out;
  }

  private JsonObject model(String name) {
    return describe(platform.model(name));
  }

  private JsonObject describe(ModelStatus s) {
    JsonObject o =
        new JsonObject()
            .put("name", s.name())
            .put("state", s.state().name())
            .put("versions", new JsonArray(List.copyOf(s.versions())))
            .put("traffic", new JsonObject(toObjects(s.traffic())))
            .put("desiredReplicas", new JsonObject(toObjects(s.replicas())));
    if (s.reason() != null) {
      o.put("reason", s.reason());
    }
    JsonArray replicas = new JsonArray();
    ModelRoute route = routes.find(s.name());
    if (route != null) {
      for (Map.Entry<String, ReplicaSet> v : route.versions().entrySet()) {
        for (Replica r : v.getValue().all()) {
          replicas.add(
              new JsonObject()
                  .put("version", v.getKey())
                  .put("id", r.id())
                  .put("endpoint", r.host() + ":" + r.port())
                  .put("inFlight", r.inFlight())
                  .put("capacity", r.capacity())
                  .put("draining", r.draining())
                  .put("breaker", r.breakerState()));
        }
      }
      o.put("inFlight", route.inFlight());
    }
    o.put("replicas", replicas);
    return o;
  }

  private void load(RoutingContext ctx, boolean oip) {
    String name = name(ctx);
    log.info("admin load model={}", name);
    complete(ctx, () -> platform.load(name), s -> oip ? new JsonObject() : describe(s));
  }

  private void unload(RoutingContext ctx, boolean oip) {
    String name = name(ctx);
    log.info("admin unload model={}", name);
    complete(
        ctx,
        () -> platform.unload(name),
        v -> oip ? new JsonObject() : new JsonObject().put("unloaded", name));
  }

  /** Runs {@code work} on a worker thread and answers its result (200) or its failure. */
  private void blocking(RoutingContext ctx, Callable<Object> work) {
    vertx
        .executeBlocking(work, false)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                ctx.fail(unwrap(ar.cause()));
              } else {
                json(ctx, 200, ar.result());
              }
            });
  }

  /** Starts platform work on a worker thread; answers what it completes with, on this context. */
  private <T> void complete(
      RoutingContext ctx,
      Callable<CompletionStage<T>> start,
      java.util.function.Function<T, Object> render) {
    Context context = vertx.getOrCreateContext();
    vertx
        .executeBlocking(start, false)
        .compose(stage -> Future.fromCompletionStage(stage, context))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                ctx.fail(unwrap(ar.cause()));
              } else {
                json(ctx, 200, render.apply(ar.result()));
              }
            });
  }

  private void setTraffic(RoutingContext ctx) {
    String name = name(ctx);
    JsonObject body = bodyObject(ctx);
    Map<String, Integer> weights = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : body) {
      if (!(e.getValue() instanceof Number n) || n.doubleValue() != n.intValue()) {
        throw AdminException.badRequest(
            "traffic weight of version '"
                + e.getKey()
                + "' = "
                + e.getValue()
                + ", must be an integer");
      }
      weights.put(e.getKey(), n.intValue());
    }
    blocking(
        ctx,
        () -> {
          Map<String, Integer> now = platform.setTraffic(name, weights);
          log.info("admin traffic model={} weights={}", name, now);
          return new JsonObject(toObjects(now));
        });
  }

  private void setScaling(RoutingContext ctx) {
    String name = name(ctx);
    Map<String, Object> changes = bodyObject(ctx).getMap();
    blocking(
        ctx,
        () -> {
          Map<String, Object> now = platform.setScaling(name, changes);
          log.info("admin scaling model={} knobs={}", name, now);
          return new JsonObject(now);
        });
  }

  private void reloadKeys(RoutingContext ctx) {
    vertx
        .executeBlocking(keys::reload)
        .onSuccess(n -> json(ctx, 200, new JsonObject().put("keys", n)))
        .onFailure(ctx::fail);
  }

  private void repositoryIndex(RoutingContext ctx) {
    JsonObject body = ctx.body().isEmpty() ? new JsonObject() : bodyObject(ctx);
    boolean readyOnly = Boolean.TRUE.equals(body.getValue("ready"));
    blocking(ctx, () -> index(readyOnly));
  }

  private JsonArray index(boolean readyOnly) {
    JsonArray out = new JsonArray();
    for (ModelStatus s : platform.models()) {
      if (readyOnly && s.state() != ModelStatus.State.READY) {
        continue;
      }
      List<String> versions =
          s.versions().isEmpty() ? java.util.Collections.singletonList(null) : s.versions();
      for (String v : versions) {
        JsonObject e = new JsonObject().put("name", s.name());
        if (v != null) {
          e.put("version", v);
        }
        e.put("state", s.state().name());
        e.put("reason", s.reason() == null ? "" : s.reason());
        out.add(e);
      }
    }
    return out;
  }

  private static JsonObject bodyObject(RoutingContext ctx) {
    try {
      JsonObject o = ctx.body().asJsonObject();
      if (o == null) {
        throw AdminException.badRequest("request body must be a JSON object");
      }
      return o;
    } catch (DecodeException | ClassCastException e) {
      throw AdminException.badRequest("request body is not a JSON object: " + e.getMessage());
    }
  }

  private static String name(RoutingContext ctx) {
    String m = ctx.pathParam("model");
    if (!OipPath.isValidName(m)) {
      throw AdminException.badRequest("invalid model name '" + m + "'");
    }
    return m;
  }

  private void failure(RoutingContext ctx) {
    Throwable t = ctx.failure() == null ? null : unwrap(ctx.failure());
    if (t instanceof AdminException a) {
      error(ctx, a.status(), a.getMessage());
    } else if (t instanceof IllegalArgumentException) {
      error(ctx, 400, t.getMessage());
    } else if (t != null && t.getClass().getName().startsWith("io.netty.handler.codec.")) {
      // the body handler could not decode a form body: the client's mistake, not ours
      error(
          ctx,
          400,
          "the request body could not be decoded as its Content-Type ("
              + ctx.request().getHeader("Content-Type")
              + ") says: "
              + t.getClass().getSimpleName());
    } else if (t == null) {
      int code = ctx.statusCode() < 400 ? 500 : ctx.statusCode();
      error(
          ctx,
          code,
          code == 413
              ? "request body exceeds " + options.maxBodyBytes() + " bytes"
              : "request failed");
    } else {
      log.warn(
          "admin request failed: {} {}: {}",
          ctx.request().method(),
          ctx.request().path(),
          t.toString());
      error(ctx, 500, String.valueOf(t.getMessage()));
    }
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException
            || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static Map<String, Object> toObjects(Map<String, Integer> m) {
    return new LinkedHashMap<>(m);
  }

  private static void json(RoutingContext ctx, int status, Object body) {
    if (ctx.response().ended()) {
      return;
    }
    String text = body instanceof JsonArray a ? a.encode() : ((JsonObject) body).encode();
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(text);
  }

  private static void error(RoutingContext ctx, int status, String message) {
    json(ctx, status, new JsonObject().put("error", message == null ? "error" : message));
  }
}
