package dev.kairos.sdk.grpc;

import dev.kairos.sdk.client.InferenceTransport;
import dev.kairos.sdk.grpc.proto.GRPCInferenceServiceGrpcClient;
import dev.kairos.sdk.grpc.proto.ModelInferResponse;
import dev.kairos.sdk.grpc.proto.ModelReadyRequest;
import dev.kairos.sdk.grpc.proto.ModelReadyResponse;
import dev.kairos.sdk.grpc.proto.ServerLiveRequest;
import dev.kairos.sdk.grpc.proto.ServerLiveResponse;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InvalidInputException;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcErrorException;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The Open Inference Protocol's gRPC transport of {@link dev.kairos.sdk.client.InferenceClient}:
 * {@code ModelInfer} with {@code raw_input_contents} (typed contents when the call is not binary),
 * over one HTTP/2 connection on a Vert.x gRPC client of its own.
 *
 * <pre>{@code
 * try (InferenceClient client = InferenceClient.builder(URI.create("grpc://127.0.0.1:8081"))
 *     .header("Authorization", "Bearer " + key).build()) {
 *   InferenceResponse r = client.infer("mlp", request, CallOptions.defaults().withBinary(true));
 * }
 * }</pre>
 *
 * Errors come back as the REST status with the same meaning ({@link GrpcStatuses#toHttp}), so the
 * client's retries and exceptions are those of REST.
 */
public final class GrpcTransport implements InferenceTransport {
  private final Vertx vertx;
  private final GrpcClient client;
  private final SocketAddress server;
  private final Map<String, String> metadata;

  private GrpcTransport(String host, int port, Map<String, String> metadata) {
    this.vertx = Vertx.vertx();
    this.client =
        GrpcClient.client(
            vertx,
            new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false)
                .setTcpNoDelay(true)
                .setHttp2ConnectionWindowSize(16 << 20)
                .setInitialSettings(new Http2Settings().setInitialWindowSize(4 << 20)));
    this.server = SocketAddress.inetSocketAddress(port, host);
    this.metadata = Map.copyOf(metadata);
  }

  /**
   * A transport to {@code host:port}.
   *
   * @param metadata sent with every call, e.g. {@code authorization: Bearer <key>}
   */
  public static GrpcTransport create(String host, int port, Map<String, String> metadata) {
    return new GrpcTransport(host, port, metadata);
  }

  @Override
  public CompletableFuture<Answer> infer(
      String model, String version, InferenceRequest request, boolean binary, Duration timeout) {
    Future<Answer> answer =
        call(
                GRPCInferenceServiceGrpcClient.ModelInfer,
                OipProtos.fromRequest(model, version, request, binary),
                timeout)
            .map(
                r -> {
                  if (r.status != GrpcStatus.OK) {
                    return new Answer(
                        GrpcStatuses.toHttp(r.status),
                        null,
                        r.message,
                        r.trailers.get(GrpcStatuses.RETRY_AFTER));
                  }
                  try {
                    return new Answer(
                        200, OipProtos.toResponse((ModelInferResponse) r.body), null, null);
                  } catch (InvalidInputException e) {
                    return new Answer(
                        502,
                        null,
                        "the server's answer is not an OIP response: " + e.getMessage(),
                        null);
                  }
                });
    return answer.toCompletionStage().toCompletableFuture();
  }

  @Override
  public boolean isModelReady(String model, Duration timeout) {
    Reply r =
        await(
            call(
                GRPCInferenceServiceGrpcClient.ModelReady,
                ModelReadyRequest.newBuilder().setName(model).build(),
                timeout),
            timeout);
    return r != null && r.status == GrpcStatus.OK && ((ModelReadyResponse) r.body).getReady();
  }

  @Override
  public boolean isServerLive(Duration timeout) {
    Reply r =
        await(
            call(
                GRPCInferenceServiceGrpcClient.ServerLive,
                ServerLiveRequest.getDefaultInstance(),
                timeout),
            timeout);
    return r != null && r.status == GrpcStatus.OK && ((ServerLiveResponse) r.body).getLive();
  }

  @Override
  public void close() {
    client.close();
    vertx.close();
  }

  /** A finished call: its status, message, metadata (headers and trailers) and response. */
  private record Reply(GrpcStatus status, String message, MultiMap trailers, Object body) {}

  private <Req, Resp> Future<Reply> call(
      ServiceMethod<Resp, Req> method, Req message, Duration timeout) {
    return client
        .request(server, method)
        .compose(
            req -> {
              metadata.forEach((k, v) -> req.headers().set(k.toLowerCase(Locale.ROOT), v));
              req.timeout(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
              return req.send(message);
            })
        .compose(
            resp ->
                resp.last()
                    .transform(
                        ar ->
                            Future.succeededFuture(
                                new Reply(
                                    resp.status(),
                                    resp.statusMessage(),
                                    MultiMap.caseInsensitiveMultiMap()
                                        .addAll(resp.headers())
                                        .addAll(resp.trailers()),
                                    ar.succeeded() ? ar.result() : null))))
        .recover(
            err -> {
              // The client's own deadline: answered like the server's 504.
              if (err instanceof GrpcErrorException g
                  && (g.status() == GrpcStatus.DEADLINE_EXCEEDED
                      || g.status() == GrpcStatus.CANCELLED)) {
                return Future.succeededFuture(
                    new Reply(
                        GrpcStatus.DEADLINE_EXCEEDED,
                        "no answer within " + timeout,
                        MultiMap.caseInsensitiveMultiMap(),
                        null));
              }
              return Future.failedFuture(err);
            });
  }

  private static Reply await(Future<Reply> f, Duration timeout) {
    try {
      return f.toCompletionStage()
          .toCompletableFuture()
          .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return null;
    }
  }

  /** Serves {@code grpc://host[:port]} URLs (port 8081 when not given). */
  public static final class Provider implements InferenceTransport.Provider {
    @Override
    public boolean supports(String scheme) {
      return scheme.equals("grpc");
    }

    @Override
    public InferenceTransport create(URI target, Map<String, String> headers) {
      return GrpcTransport.create(
          target.getHost(), target.getPort() < 0 ? 8081 : target.getPort(), headers);
    }
  }
}
