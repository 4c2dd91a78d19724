package dev.kairos.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.kairos.gateway.GatewayOptions;
import dev.kairos.gateway.admin.AdminOptions;
import dev.kairos.gateway.admin.AdminServer;
import dev.kairos.gateway.auth.ApiKeyStore;
import dev.kairos.gateway.auth.ApiKeys;
import dev.kairos.gateway.support.Await;
import dev.kairos.gateway.support.Backend;
import dev.kairos.gateway.support.FakePlatform;
import dev.kairos.gateway.support.GatewayFixture;
import dev.kairos.sdk.grpc.proto.GRPCInferenceServiceGrpcClient;
import dev.kairos.sdk.grpc.proto.ModelInferRequest;
import dev.kairos.sdk.grpc.proto.ModelInferRequest.InferInputTensor;
import dev.kairos.sdk.grpc.proto.ModelInferResponse;
import dev.kairos.sdk.grpc.proto.RepositoryIndexRequest;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.common.GrpcStatus;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A ModelInfer message on its way in through {@link UnaryIntake} and out to the replica: whole and
 * byte for byte however its HTTP/2 DATA frames cut it (the length prefix itself split), the binary
 * body one slice of the gathered message, and a message over the limit or cut short refused as the
 * gRPC server refuses it, with the gateway serving on.
 */
class GrpcIntakeTest {
  private static final String MODEL_INFER = "/inference.GRPCInferenceService/ModelInfer";

  private final GatewayFixture f = new GatewayFixture();

  @AfterEach
  void close() {
    f.close();
  }

  /** ResNet-18's input size: 1x3x224x224 FP32. */
  private static byte[] tensorBytes(int seed) {
    byte[] b = new byte[3 * 224 * 224 * 4];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  private static ModelInferRequest request(String model, byte[]... raws) {
    ModelInferRequest.Builder m = ModelInferRequest.newBuilder().setModelName(model);
    for (int i = 0; i < raws.length; i++) {
      m.addInputs(
              InferInputTensor.newBuilder()
                  .setName("in" + i)
                  .setDatatype("FP32")
                  .addShape(1)
                  .addShape(raws[i].length / 4))
          .addRawInputContents(ByteString.copyFrom(raws[i]));
    }
    return m.build();
  }

  /** The message with gRPC's length prefix, as it goes on the wire. */
  private static byte[] framed(byte[] message, int declaredLength) {
    byte[] out = new byte[5 + message.length];
    out[1] = (byte) (declaredLength >>> 24);
    out[2] = (byte) (declaredLength >>> 16);
    out[3] = (byte) (declaredLength >>> 8);
    out[4] = (byte) declaredLength;
    System.arraycopy(message, 0, out, 5, message.length);
    return out;
  }

  /** Serves model "light" from {@code b} and opens the gateway's gRPC port: its number. */
  private int grpcPortServingLight(Backend b) {
    return grpcPortServingLight(b, GatewayFixture.options());
  }

  private int grpcPortServingLight(Backend b, GatewayOptions options) {
    f.serve("light", "1", b);
    f.start(options);
    return Await.result(f.gateway().listenGrpc(0));
  }

  record Reply(String status, String message, ModelInferResponse response) {}

  /**
   * A ModelInfer call over plain HTTP/2, its body written in pieces of the given sizes, each its
   * own DATA frame (a write waits for the one before), then the rest.
   */
  private Reply rawCall(int port, byte[] body, int... pieces) {
    return rawCall(port, MODEL_INFER, body, pieces);
  }

  private Reply rawCall(int port, String path, byte[] body, int... pieces) {
    HttpClient h2 =
        f.vertx.createHttpClient(
            new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
    Future<Reply> reply =
        h2.request(
                new RequestOptions()
                    .setMethod(HttpMethod.POST)
                    .setHost("127.0.0.1")
                    .setPort(port)
                    .setURI(path))
            .compose(
                req -> {
                  req.setChunked(true)
                      .putHeader("content-type", "application/grpc")
                      .putHeader("te", "trailers");
                  Buffer all = Buffer.buffer(body);
                  Future<Void> written = Future.succeededFuture();
                  int at = 0;
                  for (int p : pieces) {
                    Buffer piece = all.slice(at, at + p);
                    written = written.compose(v -> req.write(piece));
                    at += p;
                  }
                  Buffer rest = all.slice(at, all.length());
                  return written.compose(v -> req.end(rest)).compose(v -> req.response());
                })
            .compose(
                resp ->
                    resp.body()
                        .map(
                            b -> {
                              String status = resp.getHeader("grpc-status");
                              String message = resp.getHeader("grpc-message");
                              if (status == null) {
                                status = resp.getTrailer("grpc-status");
                                message = resp.getTrailer("grpc-message");
                              }
                              ModelInferResponse m = null;
                              if (b.length() > 5) {
                                try {
                                  m = ModelInferResponse.parseFrom(b.getBytes(5, b.length()));
                                } catch (Exception e) {
                                  throw new IllegalStateException(e);
                                }
                              }
                              return new Reply(status, message, m);
                            }));
    try {
      return Await.result(reply);
    } finally {
      h2.close();
    }
  }

  @Test
  void shouldCarryATensorWholeHoweverItsFramesCutIt() {
    Backend b = f.backend("a").mode(Backend.Mode.BINARY_ECHO);
    int port = grpcPortServingLight(b);
    byte[] raw = tensorBytes(1);
    byte[] body =
        framed(request("light", raw).toByteArray(), request("light", raw).getSerializedSize());

    for (int[] pieces :
        new int[][] {{}, {2}, {2, 1, 1}, {4, 1, 3000}, {5}, {body.length / 2}, {body.length - 1}}) {
      Reply r = rawCall(port, body, pieces);
      assertThat(r.status()).as("pieces %s", Arrays.toString(pieces)).isEqualTo("0");
      assertThat(r.response().getRawOutputContents(0).toByteArray())
          .as("pieces %s", Arrays.toString(pieces))
          .isEqualTo(raw);
    }

    // What the replica got: the binary extension's header, then the tensor's bytes, in one body.
    Buffer sent = b.lastBody();
    int tail = sent.length() - raw.length;
    JsonObject head = new JsonObject(sent.getBuffer(0, tail));
    assertThat(
            head.getJsonArray("inputs")
                .getJsonObject(0)
                .getJsonObject("parameters")
                .getLong("binary_data_size"))
        .isEqualTo(raw.length);
    assertThat(sent.getBytes(tail, sent.length())).isEqualTo(raw);
  }

  @Test
  void shouldCarrySeveralInputsInOrder() {
    Backend b = f.backend("a").mode(Backend.Mode.BINARY_ECHO);
    int port = grpcPortServingLight(b);
    byte[] first = tensorBytes(2);
    byte[] second = Arrays.copyOf(tensorBytes(3), 1000);
    GrpcClient client =
        GrpcClient.client(f.vertx, new GrpcClientOptions().setMaxMessageSize(4 << 20));
    ModelInferResponse out =
        Await.result(
            client
                .request(
                    SocketAddress.inetSocketAddress(port, "127.0.0.1"),
                    GRPCInferenceServiceGrpcClient.ModelInfer)
                .compose(req -> req.send(request("light", first, second)))
                .compose(resp -> resp.last()));
    assertThat(out.getRawOutputContents(0).toByteArray()).isEqualTo(first);
    assertThat(out.getRawOutputContents(1).toByteArray()).isEqualTo(second);
  }

  @Test
  void shouldRefuseAMessageOverTheLimitAndServeOn() {
    Backend b = f.backend("a").mode(Backend.Mode.BINARY_ECHO);
    int port = grpcPortServingLight(b, GatewayFixture.options().withMaxBodyBytes(100_000));
    ModelInferRequest big = request("light", tensorBytes(4));
    Reply r = rawCall(port, framed(big.toByteArray(), big.getSerializedSize()), 3);
    assertThat(r.status()).isEqualTo(Integer.toString(GrpcStatus.RESOURCE_EXHAUSTED.code));
    assertThat(b.received()).isZero();

    byte[] small = Arrays.copyOf(tensorBytes(5), 4000);
    ModelInferRequest ok = request("light", small);
    Reply fine = rawCall(port, framed(ok.toByteArray(), ok.getSerializedSize()), 3);
    assertThat(fine.status()).isEqualTo("0");
    assertThat(fine.response().getRawOutputContents(0).toByteArray()).isEqualTo(small);
  }

  @Test
  void shouldRefuseAMessageCutShortAndServeOn() {
    Backend b = f.backend("a").mode(Backend.Mode.BINARY_ECHO);
    int port = grpcPortServingLight(b);
    ModelInferRequest m = request("light", tensorBytes(6));
    byte[] whole = m.toByteArray();
    // The prefix promises the whole message; the stream ends after half of it.
    byte[] cut = framed(Arrays.copyOf(whole, whole.length / 2), whole.length);
    Reply r = rawCall(port, cut, 1000);
    assertThat(r.status()).isEqualTo(Integer.toString(GrpcStatus.INVALID_ARGUMENT.code));
    assertThat(r.message())
        .isEqualTo(
            "the message ended after "
                + whole.length / 2
                + " of the "
                + whole.length
                + " bytes its length prefix declares");
    // A prefix cut short, and no message at all.
    Reply prefix = rawCall(port, Arrays.copyOf(cut, 3));
    assertThat(prefix.status()).isEqualTo(Integer.toString(GrpcStatus.INVALID_ARGUMENT.code));
    assertThat(prefix.message())
        .isEqualTo(
            "the call ended after 3 bytes, before a whole message (gRPC's 5-byte length prefix,"
                + " then the message)");
    Reply none = rawCall(port, new byte[0]);
    assertThat(none.status()).isEqualTo(Integer.toString(GrpcStatus.INVALID_ARGUMENT.code));
    assertThat(b.received()).isZero();

    Reply fine = rawCall(port, framed(whole, whole.length), 1000);
    assertThat(fine.status()).isEqualTo("0");
  }

  @Test
  void shouldRefuseAMessageThatIsNotAModelInferRequestAndServeOn() {
    Backend b = f.backend("a").mode(Backend.Mode.BINARY_ECHO);
    int port = grpcPortServingLight(b);
    // Whole, as its prefix says, but not protobuf: a field tag of 0 is never valid.
    byte[] garbage = {0, 0, 0, 0, 0, 0, 0, 0};
    Reply r = rawCall(port, framed(garbage, garbage.length));
    assertThat(r.status()).isEqualTo(Integer.toString(GrpcStatus.INVALID_ARGUMENT.code));
    // gRPC percent-encodes the message it sends in grpc-message
    assertThat(java.net.URLDecoder.decode(r.message(), java.nio.charset.StandardCharsets.UTF_8))
        .startsWith("the ModelInfer message is malformed: ");
    assertThat(b.received()).isZero();
    byte[] good = request("light", tensorBytes(7)).toByteArray();
    Reply fine = rawCall(port, framed(good, good.length));
    assertThat(fine.status()).isEqualTo("0");
  }

  @Test
  void shouldAnswerACallCutShortOnTheAdminPortToo() {
    AdminServer admin =
        new AdminServer(
            f.vertx,
            AdminOptions.defaults().withPort(0),
            new FakePlatform(f.routes),
            f.routes,
            ApiKeyStore.fixed(ApiKeys.none()));
    int port = Await.result(admin.listen());
    byte[] index = RepositoryIndexRequest.newBuilder().setReady(true).build().toByteArray();
    Reply r =
        rawCall(
            port,
            "/inference.GRPCInferenceService/RepositoryIndex",
            Arrays.copyOf(framed(index, index.length + 10), 5 + index.length));
    assertThat(r.status()).isEqualTo(Integer.toString(GrpcStatus.INVALID_ARGUMENT.code));
    assertThat(r.message())
        .isEqualTo(
            "the message ended after "
                + index.length
                + " of the "
                + (index.length + 10)
                + " bytes its length prefix declares");
    byte[] garbage = {0, 0, 0};
    Reply malformed =
        rawCall(
            port,
            "/inference.GRPCInferenceService/RepositoryIndex",
            framed(garbage, garbage.length));
    assertThat(malformed.status()).isEqualTo(Integer.toString(GrpcStatus.INVALID_ARGUMENT.code));
    assertThat(
            java.net.URLDecoder.decode(
                malformed.message(), java.nio.charset.StandardCharsets.UTF_8))
        .startsWith("the RepositoryIndex message is malformed: ");
    Await.result(admin.close());
  }
}
