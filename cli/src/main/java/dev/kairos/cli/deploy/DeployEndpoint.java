package dev.kairos.cli.deploy;

import dev.kairos.gateway.admin.AdminExtension;
import dev.kairos.gateway.admin.ModelStatus;
import dev.kairos.gateway.admin.PlatformControl;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /admin/deploy?name=M[&version=V]} with a {@link Bundle} as body: streams the body to
 * a file of the model repository ({@link BundleUpload}: never held in the heap, refused with 413 as
 * soon as it passes the limit), writes the version into the repository from that file ({@link
 * BundleInstaller}), then asks the platform to load the model. The upload file is deleted whatever
 * happens.
 *
 * <p>A bundle refused before anything is written is answered with its status and {@code {"error":
 * ...}}. Once written, the answer is 200 with one JSON line per step ({@code
 * application/x-ndjson}): {@code {"event":"written",...}}, then {@code {"event":"ready",...}} or
 * {@code {"event":"failed","error":...}}. A version that fails to load is taken back out of the
 * repository, so a restart does not trip over it.
 */
public final class DeployEndpoint implements AdminExtension {
  public static final String PATH = "/admin/deploy";
  private static final Logger log = LoggerFactory.getLogger(DeployEndpoint.class);

  /** How long a refused upload may go on sending (dropped) before its connection is closed. */
  private static final long LINGER_MILLIS = 2_000;

  private final Vertx vertx;
  private final BundleInstaller installer;
  private final PlatformControl platform;
  private final long maxBundleBytes;

  public DeployEndpoint(
      Vertx vertx, BundleInstaller installer, PlatformControl platform, long maxBundleBytes) {
    this.vertx = vertx;
    this.installer = installer;
    this.platform = platform;
    this.maxBundleBytes = maxBundleBytes;
  }

  @Override
  public void install(Router router) {
    router.post(PATH).handler(this::screen).handler(this::deploy);
    router.delete(PATH).handler(this::undeploy);
  }

  /**
   * {@code DELETE /admin/deploy?name=M[&version=V]}: takes a version (or the whole model) out of
   * the repository, atomically, then serves what is left (or stops serving the model).
   */
  private void undeploy(RoutingContext ctx) {
    String name = ctx.request().getParam("name");
    String version = ctx.request().getParam("version");
    if (name == null || name.isBlank()) {
      error(ctx, 400, "undeploy needs ?name=<model>[&version=<v>]");
      return;
    }
    Context context = vertx.getOrCreateContext();
    vertx
        .executeBlocking(
            () -> {
              installer.undeploy(name, version);
              return null;
            },
            false)
        .compose(
            removed -> {
              log.info("undeploy written model={} version={}", name, version);
              CompletionStage<?> next =
                  version == null
                      ? platform.unload(name).exceptionally(e -> null)
                      : platform.load(name);
              return Future.fromCompletionStage(next, context);
            })
        .onSuccess(
            x ->
                ctx.response()
                    .setStatusCode(200)
                    .putHeader("Content-Type", "application/json")
                    .end(event("undeployed").put("name", name).put("version", version).encode()))
        .onFailure(
            e -> {
              if (e instanceof BundleRejectedException r) {
                log.info("undeploy refused model={} reason={}", name, r.getMessage());
                error(ctx, r.status(), r.getMessage());
              } else {
                log.warn("undeploy failed model={} error={}", name, rootMessage(e));
                error(ctx, 500, "undeploy of model '" + name + "' failed: " + rootMessage(e));
              }
            });
  }

  /** Refuses what cannot be a bundle before reading it: a form body, or one declared too large. */
  private void screen(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    String base = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!base.isEmpty()
        && !base.equals("application/zip")
        && !base.equals("application/octet-stream")) {
      error(ctx, 415, "a deploy body is a zip bundle (application/zip), not " + base);
      return;
    }
    String length = ctx.request().getHeader("Content-Length");
    if (length != null && length.matches("\\d{1,18}") && Long.parseLong(length) > maxBundleBytes) {
      error(
          ctx,
          413,
          "the bundle is " + length + " bytes; this platform accepts at most " + maxBundleBytes);
      return;
    }
    ctx.next();
  }

  private void deploy(RoutingContext ctx) {
    String name = ctx.request().getParam("name");
    String version = ctx.request().getParam("version");
    if (name == null || name.isBlank()) {
      error(ctx, 400, "deploy needs ?name=<model>");
      return;
    }
    Context context = vertx.getOrCreateContext();
    // The body goes to a file in the repository (the same file system as the staging folder),
    // never into this process's heap, which is also every model's gateway.
    Path upload = installer.newUpload();
    BundleUpload.receive(vertx, ctx.request(), upload, maxBundleBytes)
        .compose(
            file ->
                vertx.executeBlocking(
                    () -> {
                      try {
                        return installer.install(file, name, version);
                      } finally {
                        Files.deleteIfExists(file);
                      }
                    },
                    false))
        .onSuccess(installed -> load(ctx, context, installed))
        .onFailure(
            e -> {
              if (e instanceof BundleUpload.TooLarge) {
                log.info("deploy refused model={} reason={}", name, e.getMessage());
                // The client may still be sending. Closing at once would reset the connection
                // with its bytes unread, and the reset can destroy the answer before the client
                // reads it: answer, drop what still comes, and close once the body ends or after
                // a short linger, whichever is first.
                if (!ctx.response().ended()) {
                  ctx.response()
                      .setStatusCode(413)
                      .putHeader("Content-Type", "application/json")
                      .putHeader("Connection", "close")
                      .end(new JsonObject().put("error", e.getMessage()).encode())
                      .onComplete(x -> lingerThenClose(ctx.request()));
                }
              } else if (ctx.response().closed()) {
                log.info("deploy abandoned model={}: the client went away", name);
              } else if (e instanceof BundleRejectedException r) {
                log.info("deploy refused model={} reason={}", name, r.getMessage());
                error(ctx, r.status(), r.getMessage());
              } else {
                log.warn("deploy failed model={} error={}", name, e.toString());
                error(ctx, 500, "deploy of model '" + name + "' failed: " + e);
              }
            });
  }

  private void lingerThenClose(io.vertx.core.http.HttpServerRequest request) {
    if (request.isEnded()) {
      request.connection().close();
      return;
    }
    long timer = vertx.setTimer(LINGER_MILLIS, t -> request.connection().close());
    request.endHandler(
        v -> {
          vertx.cancelTimer(timer);
          request.connection().close();
        });
    request.resume();
  }

  private void load(RoutingContext ctx, Context context, BundleInstaller.Installed installed) {
    String name = installed.name();
    String v = installed.version();
    log.info("deploy written model={} version={} dir={}", name, v, installed.dir());
    HttpServerResponse resp =
        ctx.response()
            .setStatusCode(200)
            .setChunked(true)
            .putHeader("Content-Type", "application/x-ndjson");
    resp.write(
        event("written").put("name", name).put("version", v).put("path", installed.dir().toString())
            + "\n");
    long started = System.nanoTime();
    Future.fromCompletionStage(platform.load(name), context)
        .onComplete(
            ar -> {
              ModelStatus s = ar.succeeded() ? ar.result() : null;
              if (s != null && s.state() == ModelStatus.State.READY) {
                log.info("deploy ready model={} version={}", name, v);
                resp.end(
                    event("ready")
                            .put("name", name)
                            .put("version", v)
                            .put("state", s.state().name())
                            .put("loadMillis", (System.nanoTime() - started) / 1_000_000)
                        + "\n");
                return;
              }
              String why =
                  s != null
                      ? (s.reason() != null ? s.reason() : "model is " + s.state())
                      : rootMessage(ar.cause());
              rollBack(resp, installed, why);
            });
  }

  private void rollBack(HttpServerResponse resp, BundleInstaller.Installed installed, String why) {
    String name = installed.name();
    log.warn("deploy load failed model={} version={} reason={}", name, installed.version(), why);
    vertx
        .executeBlocking(
            () -> {
              installed.undo().run();
              return null;
            },
            false)
        .onComplete(
            ar -> {
              // Serve what the repository holds now: the previous versions, or nothing.
              platform.load(name);
              resp.end(
                  event("failed")
                          .put("name", name)
                          .put("version", installed.version())
                          .put(
                              "error",
                              "model '"
                                  + name
                                  + "' v"
                                  + installed.version()
                                  + " failed to load: "
                                  + why
                                  + (ar.succeeded()
                                      ? " (the version was taken back out of the repository)"
                                      : " (and could not be removed: " + ar.cause() + ")"))
                      + "\n");
            });
  }

  private static JsonObject event(String name) {
    return new JsonObject().put("event", name);
  }

  private static String rootMessage(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t == null ? "unknown error" : t.getMessage() == null ? t.toString() : t.getMessage();
  }

  private static void error(RoutingContext ctx, int status, String message) {
    if (!ctx.response().ended()) {
      ctx.response()
          .setStatusCode(status)
          .putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("error", message).encode());
    }
  }
}
