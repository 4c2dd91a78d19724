package dev.kairos.gateway.pipeline;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnsafeByteOperations;
import dev.kairos.gateway.impl.UnaryIntake;
import dev.kairos.gateway.pipeline.Admission.Refusal;
import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.sdk.grpc.GrpcStatuses;
import dev.kairos.sdk.grpc.OipProtos;
import dev.kairos.sdk.grpc.proto.GRPCInferenceServiceGrpcService;
import dev.kairos.sdk.grpc.proto.ModelInferRequest;
import dev.kairos.sdk.grpc.proto.ModelInferResponse;
import dev.kairos.sdk.grpc.proto.ModelMetadataRequest;
import dev.kairos.sdk.grpc.proto.ModelMetadataResponse;
import dev.kairos.sdk.grpc.proto.ModelReadyRequest;
import dev.kairos.sdk.grpc.proto.ModelReadyResponse;
import dev.kairos.sdk.grpc.proto.ServerLiveResponse;
import dev.kairos.sdk.grpc.proto.ServerMetadataResponse;
import dev.kairos.sdk.grpc.proto.ServerReadyResponse;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InvalidInputException;
import dev.kairos.sdk.oip.OipJsonDecoder;
import dev.kairos.sdk.oip.OipPath;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.grpc.common.CodecException;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.WireFormat;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Open Inference Protocol's gRPC service ({@code inference.GRPCInferenceService}) in front of
 * the same routes as REST.
 *
 * <p>A model call is authenticated, rate limited, routed, bounded and forwarded exactly as a REST
 * call is (it enters the same {@link Pipeline} through a {@link GrpcCaller}): the gRPC message is
 * transcoded into the REST binary tensor extension, which the runtimes already speak, and the
 * replica's answer back into a gRPC message. Tensors are never parsed element by element: raw
 * contents are copied as bytes. Errors carry the gRPC code of the REST status and the same message
 * ({@link GrpcStatuses} is the one mapping); UNAVAILABLE and RESOURCE_EXHAUSTED carry a {@code
 * retry-after} trailer and a {@code google.rpc.RetryInfo}.
 */
public final class GrpcFront {
  private static final String BINARY_HEADER = "Inference-Header-Content-Length";

  /**
   * A ModelInfer message, and the array its bytes fields (the raw contents) alias, or null when
   * they were copied.
   */
  record Received(ModelInferRequest message, byte[] array) {}

  /**
   * ModelInfer with a decoder whose bytes fields (the raw contents) alias the message's own array
   * instead of copying it: a tensor of hundreds of kilobytes is parsed without a copy.
   */
  private static final ServiceMethod<Received, ModelInferResponse> MODEL_INFER =
      ServiceMethod.server(
          GRPCInferenceServiceGrpcService.SERVICE_NAME,
          "ModelInfer",
          GrpcMessageEncoder.encoder(),
          new GrpcMessageDecoder<>() {
            @Override
            public Received decode(GrpcMessage msg) {
              ByteBuf b = ((BufferInternal) msg.payload()).getByteBuf();
              try {
                if (b.hasArray()) {
                  // The array is this message's alone (a DATA chunk copied for it, or the one
                  // UnaryIntake gathered it into), and nothing writes to it after this.
                  CodedInputStream in =
                      UnsafeByteOperations.unsafeWrap(
                              b.array(), b.arrayOffset() + b.readerIndex(), b.readableBytes())
                          .newCodedInput();
                  in.enableAliasing(true);
                  return new Received(ModelInferRequest.parseFrom(in), b.array());
                }
                CodedInputStream in = CodedInputStream.newInstance(msg.payload().getBytes());
                in.enableAliasing(true);
                return new Received(ModelInferRequest.parseFrom(in), null);
              } catch (IOException e) {
                throw new CodecException(e);
              }
            }

            @Override
            public boolean accepts(WireFormat format) {
              return format == WireFormat.PROTOBUF;
            }
          });

  private final Pipeline pipeline;
  private final RouteTable routes;
  private final OipJsonDecoder decoder = new OipJsonDecoder();
  private final GrpcTranscoding transcoding = new GrpcTranscoding();
  private final String version;

  public GrpcFront(Pipeline pipeline, RouteTable routes) {
    this.pipeline = pipeline;
    this.routes = routes;
    String v = GrpcFront.class.getPackage().getImplementationVersion();
    this.version = v == null ? "dev" : v;
  }

  /**
   * The handler of the gRPC port: a gRPC server answering the six core RPCs, every call's one
   * message gathered by {@link UnaryIntake}; mount it as an HTTP/2 request handler.
   */
  public Handler<HttpServerRequest> handler(Vertx vertx, long maxMessageBytes) {
    GrpcServer server = server(vertx, maxMessageBytes);
    return req -> server.handle(new UnaryIntake(req, maxMessageBytes));
  }

  private GrpcServer server(Vertx vertx, long maxMessageBytes) {
    GrpcServer server =
        GrpcServer.server(vertx, new GrpcServerOptions().setMaxMessageSize(maxMessageBytes));
    server.callHandler(
        GRPCInferenceServiceGrpcService.ServerLive,
        UnaryIntake.unary(
            "ServerLive",
            (call, m) ->
                call.response().end(ServerLiveResponse.newBuilder().setLive(true).build())));
    server.callHandler(
        GRPCInferenceServiceGrpcService.ServerReady,
        UnaryIntake.unary(
            "ServerReady",
            (call, m) ->
                call.response()
                    .end(ServerReadyResponse.newBuilder().setReady(serverReady()).build())));
    server.callHandler(
        GRPCInferenceServiceGrpcService.ServerMetadata,
        UnaryIntake.unary(
            "ServerMetadata",
            (call, m) ->
                call.response()
                    .end(
                        ServerMetadataResponse.newBuilder()
                            .setName("kairos")
                            .setVersion(version)
                            .addExtensions("binary_tensor_data")
                            .build())));
    server.callHandler(
        GRPCInferenceServiceGrpcService.ModelMetadata,
        UnaryIntake.unary("ModelMetadata", this::metadata));
    server.callHandler(
        GRPCInferenceServiceGrpcService.ModelReady, UnaryIntake.unary("ModelReady", this::ready));
    server.callHandler(MODEL_INFER, UnaryIntake.unary("ModelInfer", this::infer));
    return server;
  }

  private boolean serverReady() {
    for (ModelRoute m : routes.all()) {
      if (m.state() == ModelRoute.State.LOADING) {
        return false;
      }
    }
    return true;
  }

  private void infer(GrpcServerRequest<Received, ModelInferResponse> call, Received received) {
    ModelInferRequest m = received.message();
    String model = m.getModelName();
    String version = m.getModelVersion().isEmpty() ? null : m.getModelVersion();
    if (!accepted(call, model, version)) {
      return;
    }
    InferenceRequest request;
    try {
      request = OipProtos.toRequest(m);
    } catch (InvalidInputException e) {
      GrpcCaller.fail(call.response(), 400, e.getMessage(), null);
      return;
    }
    long timeoutMs = call.timeout();
    Map<String, Object> params = new LinkedHashMap<>(request.parameters());
    params.put("binary_data_output", true);
    if (timeoutMs > 0) {
      // The runtime drops work whose deadline passed, as for a REST call with a timeout.
      params.putIfAbsent("timeout", timeoutMs * 1000L);
    }
    Buffer body;
    int jsonLength;
    try {
      byte[] head =
          transcoding.header(
              new InferenceRequest(request.id(), params, request.inputs(), request.outputs()));
      jsonLength = head.length;
      body = GrpcTranscoding.binaryBody(head, request, m, received.array());
    } catch (IOException e) {
      GrpcCaller.fail(call.response(), 500, "cannot encode the request: " + e.getMessage(), null);
      return;
    }
    MultiMap headers =
        MultiMap.caseInsensitiveMultiMap()
            .add("Content-Type", "application/octet-stream")
            .add(BINARY_HEADER, Integer.toString(jsonLength));
    GrpcCaller<ModelInferResponse> caller =
        new GrpcCaller<>(
            call.response(),
            HttpMethod.POST,
            headers,
            call.headers(),
            timeoutMs,
            (b, h) -> {
              String hl = h.get(BINARY_HEADER);
              byte[] bytes = b.getBytes();
              return OipProtos.fromResponse(
                  decoder.decodeResponse(bytes, hl == null ? bytes.length : Integer.parseInt(hl)));
            });
    Call forwarded =
        pipeline.call(caller, model, version, null, false, true, path(model, version) + "/infer");
    forwarded.body = body;
    pipeline.enter(forwarded);
  }

  private void metadata(
      GrpcServerRequest<ModelMetadataRequest, ModelMetadataResponse> call, ModelMetadataRequest m) {
    String model = m.getName();
    String version = m.getVersion().isEmpty() ? null : m.getVersion();
    if (!accepted(call, model, version)) {
      return;
    }
    GrpcCaller<ModelMetadataResponse> caller =
        new GrpcCaller<>(
            call.response(),
            HttpMethod.GET,
            MultiMap.caseInsensitiveMultiMap(),
            call.headers(),
            call.timeout(),
            (b, h) -> transcoding.metadataOf(b));
    Call forwarded = pipeline.call(caller, model, version, null, false, true, path(model, version));
    forwarded.body = Buffer.buffer();
    pipeline.enter(forwarded);
  }

  private void ready(
      GrpcServerRequest<ModelReadyRequest, ModelReadyResponse> call, ModelReadyRequest m) {
    String model = m.getName();
    String version = m.getVersion().isEmpty() ? null : m.getVersion();
    if (!accepted(call, model, version)) {
      return;
    }
    // From the route, as REST answers it: no replica is asked, a model at zero is not woken.
    ModelRoute route = routes.find(model);
    if (route == null) {
      GrpcCaller.fail(call.response(), 404, "unknown model '" + model + "'", null);
      return;
    }
    ModelRoute.Readiness r = route.readiness(version);
    if (r == ModelRoute.Readiness.NO_SUCH_VERSION) {
      GrpcCaller.fail(
          call.response(), 404, "model '" + model + "' has no version '" + version + "'", null);
      return;
    }
    call.response()
        .end(ModelReadyResponse.newBuilder().setReady(r == ModelRoute.Readiness.READY).build());
  }

  /** Whether a call's names are valid and its key admits it; if not, it has been answered. */
  private boolean accepted(GrpcServerRequest<?, ?> call, String model, String version) {
    return validNames(call.response(), model, version)
        && admitted(call.response(), call.headers(), model);
  }

  private boolean validNames(GrpcServerResponse<?, ?> resp, String model, String version) {
    if (!OipPath.isValidName(model)) {
      GrpcCaller.fail(resp, 400, "invalid model name '" + HttpFront.printable(model) + "'", null);
      return false;
    }
    if (version != null && !OipPath.isValidName(version)) {
      GrpcCaller.fail(
          resp, 400, "invalid model version '" + HttpFront.printable(version) + "'", null);
      return false;
    }
    return true;
  }

  private boolean admitted(GrpcServerResponse<?, ?> resp, MultiMap metadata, String model) {
    Refusal r = pipeline.admission().check(GrpcCaller.secret(metadata), model);
    if (r == null) {
      return true;
    }
    GrpcCaller.fail(resp, r.status(), r.message(), r.retryAfter());
    return false;
  }

  private static String path(String model, String version) {
    return "/v2/models/" + model + (version == null ? "" : "/versions/" + version);
  }
}
