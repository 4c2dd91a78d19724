package dev.kairos.gateway.impl;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.CodedInputStream;
import dev.kairos.gateway.impl.GatewayHandler.Refusal;
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
import dev.kairos.sdk.oip.RequestedOutput;
import dev.kairos.sdk.tensor.Tensor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.grpc.common.CodecException;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.WireFormat;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Open Inference Protocol's gRPC service ({@code inference.GRPCInferenceService}) in front of
 * the same routes as REST.
 *
 * <p>A model call is authenticated, rate limited, routed, bounded and forwarded exactly as a REST
 * call is (it goes through {@link GatewayHandler} and {@link Forwarder}): the gRPC message is
 * transcoded into the REST binary tensor extension, which the runtimes already speak, and the
 * replica's answer back into a gRPC message. Tensors are never parsed element by element: raw
 * contents are copied as bytes. Errors carry the gRPC code of the REST status and the same message
 * ({@link GrpcStatuses} is the one mapping); UNAVAILABLE and RESOURCE_EXHAUSTED carry a {@code
 * retry-after} trailer and a {@code google.rpc.RetryInfo}.
 */
public final class GrpcFront {
  private static final Logger log = LoggerFactory.getLogger(GrpcFront.class);
  private static final String BINARY_HEADER = "Inference-Header-Content-Length";

  /**
   * ModelInfer with a decoder whose bytes fields (the raw contents) alias the message's bytes
   * instead of copying them: a 600 KB tensor is copied once on its way in, not twice.
   */
  private static final ServiceMethod<ModelInferRequest, ModelInferResponse> MODEL_INFER =
      ServiceMethod.server(
          GRPCInferenceServiceGrpcService.SERVICE_NAME,
          "ModelInfer",
          GrpcMessageEncoder.encoder(),
          new GrpcMessageDecoder<>() {
            @Override
            public ModelInferRequest decode(GrpcMessage msg) {
              CodedInputStream in = CodedInputStream.newInstance(msg.payload().getBytes());
              in.enableAliasing(true);
              try {
                return ModelInferRequest.parseFrom(in);
              } catch (IOException e) {
                throw new CodecException(e);
              }
            }

            @Override
            public boolean accepts(WireFormat format) {
              return format == WireFormat.PROTOBUF;
            }
          });

  private final GatewayHandler handler;
  private final RouteTable routes;
  private final OipJsonDecoder decoder = new OipJsonDecoder();
  private final ObjectMapper json = new ObjectMapper();
  private final String version;

  public GrpcFront(GatewayHandler handler, RouteTable routes) {
    this.handler = handler;
    this.routes = routes;
    String v = GrpcFront.class.getPackage().getImplementationVersion();
    this.version = v == null ? "dev" : v;
  }

  /** A gRPC server answering the six core RPCs; mount it as an HTTP/2 request handler. */
  public GrpcServer server(Vertx vertx, long maxMessageBytes) {
    GrpcServer server =
        GrpcServer.server(vertx, new GrpcServerOptions().setMaxMessageSize(maxMessageBytes));
    server.callHandler(
        GRPCInferenceServiceGrpcService.ServerLive,
        call ->
            call.last()
                .onSuccess(
                    m ->
                        call.response()
                            .end(ServerLiveResponse.newBuilder().setLive(true).build())));
    server.callHandler(
        GRPCInferenceServiceGrpcService.ServerReady,
        call ->
            call.last()
                .onSuccess(
                    m ->
                        call.response()
                            .end(
                                ServerReadyResponse.newBuilder().setReady(serverReady()).build())));
    server.callHandler(
        GRPCInferenceServiceGrpcService.ServerMetadata,
        call ->
            call.last()
                .onSuccess(
                    m ->
                        call.response()
                            .end(
                                ServerMetadataResponse.newBuilder()
                                    .setName("kairos")
                                    .setVersion(version)
                                    .addExtensions("binary_tensor_data")
                                    .build())));
    server.callHandler(
        GRPCInferenceServiceGrpcService.ModelMetadata,
        call -> call.last().onSuccess(m -> metadata(call, m)));
    server.callHandler(
        GRPCInferenceServiceGrpcService.ModelReady,
        call -> call.last().onSuccess(m -> ready(call, m)));
    server.callHandler(MODEL_INFER, call -> call.last().onSuccess(m -> infer(call, m)));
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

  private void infer(
      GrpcServerRequest<ModelInferRequest, ModelInferResponse> call, ModelInferRequest m) {
    String model = m.getModelName();
    String version = m.getModelVersion().isEmpty() ? null : m.getModelVersion();
    if (!validNames(call.response(), model, version)
        || !admitted(call.response(), call.headers(), model)) {
      return;
    }
    InferenceRequest request;
    try {
      request = OipProtos.toRequest(m);
    } catch (InvalidInputException e) {
      fail(call.response(), 400, e.getMessage(), null);
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
          header(new InferenceRequest(request.id(), params, request.inputs(), request.outputs()));
      jsonLength = head.length;
      body = binaryBody(head, request);
    } catch (IOException e) {
      fail(call.response(), 500, "cannot encode the request: " + e.getMessage(), null);
      return;
    }
    MultiMap headers =
        MultiMap.caseInsensitiveMultiMap()
            .add("Content-Type", "application/octet-stream")
            .add(BINARY_HEADER, Integer.toString(jsonLength));
    handler.call(
        new Reply<>(
            call.response(),
            HttpMethod.POST,
            headers,
            (b, h) -> {
              String hl = h.get(BINARY_HEADER);
              byte[] bytes = b.getBytes();
              return OipProtos.fromResponse(
                  decoder.decodeResponse(bytes, hl == null ? bytes.length : Integer.parseInt(hl)));
            }),
        model,
        version,
        path(model, version) + "/infer",
        body,
        timeoutMs);
  }

  /**
   * The JSON part of the binary tensor extension: every input's data is binary ({@code
   * binary_data_size}), in input order.
   */
  private byte[] header(InferenceRequest r) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = json.getFactory().createGenerator(out)) {
      g.writeStartObject();
      if (r.id() != null) {
        g.writeStringField("id", r.id());
      }
      writeParameters(g, r.parameters(), -1);
      g.writeArrayFieldStart("inputs");
      for (Tensor t : r.inputs()) {
        g.writeStartObject();
        g.writeStringField("name", t.name());
        g.writeStringField("datatype", t.datatype().name());
        g.writeArrayFieldStart("shape");
        for (int i = 0; i < t.rank(); i++) {
          g.writeNumber(t.dim(i));
        }
        g.writeEndArray();
        writeParameters(g, t.parameters(), t.byteSize());
        g.writeEndObject();
      }
      g.writeEndArray();
      if (!r.outputs().isEmpty()) {
        g.writeArrayFieldStart("outputs");
        for (RequestedOutput o : r.outputs()) {
          g.writeStartObject();
          g.writeStringField("name", o.name());
          writeParameters(g, o.parameters(), -1);
          g.writeEndObject();
        }
        g.writeEndArray();
      }
      g.writeEndObject();
    }
    return out.toByteArray();
  }

  private static void writeParameters(JsonGenerator g, Map<String, Object> params, long binarySize)
      throws IOException {
    if (params.isEmpty() && binarySize < 0) {
      return;
    }
    g.writeObjectFieldStart("parameters");
    for (Map.Entry<String, Object> e : params.entrySet()) {
      Object v = e.getValue();
      if (binarySize >= 0 && e.getKey().equals(OipJsonDecoder.BINARY_DATA_SIZE)) {
        continue;
      }
      g.writeFieldName(e.getKey());
      if (v instanceof Boolean b) {
        g.writeBoolean(b);
      } else if (v instanceof Long || v instanceof Integer) {
        g.writeNumber(((Number) v).longValue());
      } else {
        g.writeString(String.valueOf(v));
      }
    }
    if (binarySize >= 0) {
      g.writeNumberField(OipJsonDecoder.BINARY_DATA_SIZE, binarySize);
    }
    g.writeEndObject();
  }

  /**
   * The header followed by every input's bytes, without copying them: the raw contents the gRPC
   * message was parsed from back the buffer sent on to the replica.
   */
  private static Buffer binaryBody(byte[] head, InferenceRequest r) {
    ByteBuf[] parts = new ByteBuf[r.inputs().size() + 1];
    parts[0] = Unpooled.wrappedBuffer(head);
    for (int i = 0; i < r.inputs().size(); i++) {
      Tensor t = r.inputs().get(i);
      parts[i + 1] =
          Unpooled.wrappedBuffer(
              t.datatype().isFixedSize() ? t.buffer() : OipProtos.rawOf(t).asReadOnlyByteBuffer());
    }
    return BufferInternal.buffer(Unpooled.wrappedUnmodifiableBuffer(parts));
  }

  private void metadata(
      GrpcServerRequest<ModelMetadataRequest, ModelMetadataResponse> call, ModelMetadataRequest m) {
    String model = m.getName();
    String version = m.getVersion().isEmpty() ? null : m.getVersion();
    if (!validNames(call.response(), model, version)
        || !admitted(call.response(), call.headers(), model)) {
      return;
    }
    handler.call(
        new Reply<>(
            call.response(),
            HttpMethod.GET,
            MultiMap.caseInsensitiveMultiMap(),
            (b, h) -> metadataOf(b)),
        model,
        version,
        path(model, version),
        Buffer.buffer(),
        call.timeout());
  }

  private void ready(
      GrpcServerRequest<ModelReadyRequest, ModelReadyResponse> call, ModelReadyRequest m) {
    String model = m.getName();
    String version = m.getVersion().isEmpty() ? null : m.getVersion();
    if (!validNames(call.response(), model, version)
        || !admitted(call.response(), call.headers(), model)) {
      return;
    }
    // From the route, as REST answers it: no replica is asked, a model at zero is not woken.
    ModelRoute route = routes.find(model);
    if (route == null) {
      fail(call.response(), 404, "unknown model '" + model + "'", null);
      return;
    }
    ModelRoute.Readiness r = route.readiness(version);
    if (r == ModelRoute.Readiness.NO_SUCH_VERSION) {
      fail(call.response(), 404, "model '" + model + "' has no version '" + version + "'", null);
      return;
    }
    call.response()
        .end(ModelReadyResponse.newBuilder().setReady(r == ModelRoute.Readiness.READY).build());
  }

  private ModelMetadataResponse metadataOf(Buffer body) throws IOException {
    JsonNode n = json.readTree(body.getBytes());
    ModelMetadataResponse.Builder b =
        ModelMetadataResponse.newBuilder()
            .setName(n.path("name").asText())
            .setPlatform(n.path("platform").asText());
    n.path("versions").forEach(v -> b.addVersions(v.asText()));
    n.path("inputs").forEach(t -> b.addInputs(tensorMetadata(t)));
    n.path("outputs").forEach(t -> b.addOutputs(tensorMetadata(t)));
    return b.build();
  }

  private static ModelMetadataResponse.TensorMetadata tensorMetadata(JsonNode t) {
    ModelMetadataResponse.TensorMetadata.Builder b =
        ModelMetadataResponse.TensorMetadata.newBuilder()
            .setName(t.path("name").asText())
            .setDatatype(t.path("datatype").asText());
    t.path("shape").forEach(d -> b.addShape(d.asLong()));
    return b.build();
  }

  private boolean validNames(GrpcServerResponse<?, ?> resp, String model, String version) {
    if (!OipPath.isValidName(model)) {
      fail(resp, 400, "invalid model name '" + printable(model) + "'", null);
      return false;
    }
    if (version != null && !OipPath.isValidName(version)) {
      fail(resp, 400, "invalid model version '" + printable(version) + "'", null);
      return false;
    }
    return true;
  }

  private boolean admitted(GrpcServerResponse<?, ?> resp, MultiMap metadata, String model) {
    Refusal r = handler.admission(secret(metadata), model);
    if (r == null) {
      return true;
    }
    fail(resp, r.status(), r.message(), r.retryAfter());
    return false;
  }

  /**
   * The API key in the call's metadata: {@code authorization: Bearer <key>} or {@code x-api-key}.
   */
  static String secret(MultiMap metadata) {
    String auth = metadata.get("authorization");
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return auth.substring(7).trim();
    }
    String key = metadata.get("x-api-key");
    return key == null ? null : key.trim();
  }

  private static String path(String model, String version) {
    return "/v2/models/" + model + (version == null ? "" : "/versions/" + version);
  }

  /** Ends a call with the gRPC code of an HTTP status, its message and any retry hint. */
  static void fail(GrpcServerResponse<?, ?> resp, int status, String message, String retryAfter) {
    GrpcStatus code = GrpcStatuses.fromHttp(status);
    if (retryAfter != null) {
      resp.trailers().set(GrpcStatuses.RETRY_AFTER, retryAfter);
      try {
        resp.trailers()
            .set(
                GrpcStatuses.STATUS_DETAILS,
                GrpcStatuses.retryDetails(code, message, Long.parseLong(retryAfter.trim())));
      } catch (NumberFormatException e) {
        // an HTTP-date Retry-After has no RetryInfo form; the plain trailer still says it
      }
    }
    resp.status(code).statusMessage(message).end();
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && i < 64; i++) {
      char c = s.charAt(i);
      b.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return b.toString();
  }

  /** Converts a replica's successful REST answer into the call's response message. */
  interface Conversion<T> {
    T convert(Buffer body, MultiMap headers) throws Exception;
  }

  /** Where a forwarded call's answer goes: the gRPC response. */
  private class Reply<T> implements Exchange.RemoteCall {
    private final GrpcServerResponse<?, T> resp;
    private final HttpMethod method;
    private final MultiMap headers;
    private final Conversion<T> conversion;

    Reply(
        GrpcServerResponse<?, T> resp,
        HttpMethod method,
        MultiMap headers,
        Conversion<T> conversion) {
      this.resp = resp;
      this.method = method;
      this.headers = headers;
      this.conversion = conversion;
    }

    @Override
    public HttpMethod method() {
      return method;
    }

    @Override
    public MultiMap headers() {
      return headers;
    }

    @Override
    public void refuse(int status, String message, String retryAfter) {
      fail(resp, status, message, retryAfter);
    }

    @Override
    public void answered(int status, MultiMap replyHeaders, Buffer body) {
      if (status != 200) {
        refuse(status, decoder.decodeError(body.getBytes()), replyHeaders.get("Retry-After"));
        return;
      }
      T out;
      try {
        out = conversion.convert(body, replyHeaders);
      } catch (Exception e) {
        log.warn("grpc reply could not be converted: {}", e.toString());
        fail(resp, 502, "the replica's answer is malformed: " + e.getMessage(), null);
        return;
      }
      resp.end(out);
    }
  }
}
