package dev.kairos.gateway.admin;

import dev.kairos.gateway.auth.ApiKey;
import dev.kairos.gateway.auth.ApiKeyStore;
import dev.kairos.gateway.impl.UnaryIntake;
import dev.kairos.sdk.grpc.GrpcStatuses;
import dev.kairos.sdk.grpc.proto.GRPCInferenceServiceGrpcService;
import dev.kairos.sdk.grpc.proto.RepositoryIndexResponse;
import dev.kairos.sdk.grpc.proto.RepositoryModelLoadResponse;
import dev.kairos.sdk.grpc.proto.RepositoryModelUnloadResponse;
import dev.kairos.sdk.oip.OipPath;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import io.vertx.grpc.server.GrpcServerResponse;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model repository extension over gRPC ({@code RepositoryIndex}, {@code RepositoryModelLoad},
 * {@code RepositoryModelUnload} of {@code inference.GRPCInferenceService}, as Triton's clients call
 * them) on the admin port, behind the same admin key as the REST {@code /v2/repository} endpoints.
 */
final class AdminGrpc {
  private static final Logger log = LoggerFactory.getLogger(AdminGrpc.class);

  private final Vertx vertx;
  private final PlatformControl platform;
  private final ApiKeyStore keys;
  private final GrpcServer server;

  AdminGrpc(Vertx vertx, PlatformControl platform, ApiKeyStore keys) {
    this.vertx = vertx;
    this.platform = platform;
    this.keys = keys;
    this.server = GrpcServer.server(vertx);
    server.callHandler(
        GRPCInferenceServiceGrpcService.RepositoryIndex,
        UnaryIntake.unary(
            "RepositoryIndex",
            (call, m) -> {
              if (admitted(call.response(), call.headers())) {
                // reads the repository: on a worker thread, not the event loop
                vertx
                    .executeBlocking(() -> index(m.getReady()), false)
                    .onComplete(
                        ar -> {
                          if (ar.succeeded()) {
                            call.response().end(ar.result());
                          } else {
                            fail(call.response(), 500, String.valueOf(ar.cause()));
                          }
                        });
              }
            }));
    server.callHandler(
        GRPCInferenceServiceGrpcService.RepositoryModelLoad,
        UnaryIntake.unary(
            "RepositoryModelLoad",
            (call, m) -> {
              if (admitted(call.response(), call.headers())
                  && validName(call.response(), m.getModelName())) {
                log.info("admin grpc load model={}", m.getModelName());
                complete(
                    call.response(),
                    () -> platform.load(m.getModelName()),
                    RepositoryModelLoadResponse.getDefaultInstance());
              }
            }));
    server.callHandler(
        GRPCInferenceServiceGrpcService.RepositoryModelUnload,
        UnaryIntake.unary(
            "RepositoryModelUnload",
            (call, m) -> {
              if (admitted(call.response(), call.headers())
                  && validName(call.response(), m.getModelName())) {
                log.info("admin grpc unload model={}", m.getModelName());
                complete(
                    call.response(),
                    () -> platform.unload(m.getModelName()),
                    RepositoryModelUnloadResponse.getDefaultInstance());
              }
            }));
  }

  /** Whether a request on the admin port is a gRPC call (else it goes to the REST router). */
  static boolean isGrpc(HttpServerRequest req) {
    String type = req.getHeader("Content-Type");
    return type != null && type.startsWith("application/grpc");
  }

  void handle(HttpServerRequest req) {
    // The intake answers a call whose message is cut short, which the server would wait on forever.
    server.handle(new UnaryIntake(req, GrpcServerOptions.DEFAULT_MAX_MESSAGE_SIZE));
  }

  private RepositoryIndexResponse index(boolean readyOnly) {
    RepositoryIndexResponse.Builder b = RepositoryIndexResponse.newBuilder();
    for (ModelStatus s : platform.models()) {
      if (readyOnly && s.state() != ModelStatus.State.READY) {
        continue;
      }
      List<String> versions =
          s.versions().isEmpty() ? java.util.Collections.singletonList("") : s.versions();
      for (String v : versions) {
        b.addModels(
            RepositoryIndexResponse.ModelIndex.newBuilder()
                .setName(s.name())
                .setVersion(v)
                .setState(s.state().name())
                .setReason(s.reason() == null ? "" : s.reason()));
      }
    }
    return b.build();
  }

  /** Starts platform work on a worker thread and answers when it completes. */
  private <T> void complete(
      GrpcServerResponse<?, T> resp, Callable<CompletionStage<?>> start, T answer) {
    io.vertx.core.Context context = vertx.getOrCreateContext();
    vertx
        .executeBlocking(start, false)
        .compose(stage -> io.vertx.core.Future.fromCompletionStage(stage, context).mapEmpty())
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                resp.end(answer);
                return;
              }
              Throwable t = ar.cause();
              while (t instanceof CompletionException && t.getCause() != null) {
                t = t.getCause();
              }
              int status =
                  t instanceof AdminException a
                      ? a.status()
                      : t instanceof IllegalArgumentException ? 400 : 500;
              fail(resp, status, String.valueOf(t.getMessage()));
            });
  }

  private static boolean validName(GrpcServerResponse<?, ?> resp, String name) {
    if (OipPath.isValidName(name)) {
      return true;
    }
    fail(resp, 400, "invalid model name '" + name + "'");
    return false;
  }

  /** The admin key check of the REST admin API, answered with gRPC codes. */
  private boolean admitted(GrpcServerResponse<?, ?> resp, MultiMap metadata) {
    String auth = metadata.get("authorization");
    String secret =
        auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)
            ? auth.substring(7).trim()
            : metadata.get("x-api-key");
    if (secret == null) {
      fail(resp, 401, "the admin API needs an API key (authorization: Bearer <key>)");
      return false;
    }
    ApiKey key = keys.current().find(secret.trim());
    if (key == null) {
      fail(resp, 401, "unknown API key");
      return false;
    }
    if (!key.admin()) {
      fail(resp, 403, "API key '" + key.name() + "' has no admin scope");
      return false;
    }
    return true;
  }

  private static void fail(GrpcServerResponse<?, ?> resp, int status, String message) {
    resp.status(GrpcStatuses.fromHttp(status)).statusMessage(message).end();
  }
}
