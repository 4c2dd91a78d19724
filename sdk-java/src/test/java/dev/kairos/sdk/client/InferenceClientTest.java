package dev.kairos.sdk.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.sdk.client.InferenceException.ConnectionException;
import dev.kairos.sdk.client.InferenceException.InferenceTimeoutException;
import dev.kairos.sdk.client.InferenceException.InvalidRequestException;
import dev.kairos.sdk.client.InferenceException.ModelNotFoundException;
import dev.kairos.sdk.client.InferenceException.ServiceUnavailableException;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.oip.OipJsonDecoder;
import dev.kairos.sdk.oip.OipJsonEncoder;
import dev.kairos.sdk.tensor.Tensor;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InferenceClientTest {
  private static final OipJsonDecoder DECODER = new OipJsonDecoder();
  private static final OipJsonEncoder ENCODER = new OipJsonEncoder();

  private FakeOipServer server;
  private InferenceClient client;
  private final CountDownLatch release = new CountDownLatch(1);

  @BeforeEach
  void start() throws Exception {
    server = new FakeOipServer();
    client = InferenceClient.builder(server.uri()).build();
  }

  @AfterEach
  void stop() {
    release.countDown();
    client.close();
    server.close();
  }

  /** Answers like a model computing y = 2x, in the encoding the request asked for. */
  private static FakeOipServer.Answer doubler(com.sun.net.httpserver.HttpExchange ex, byte[] body) {
    String h = ex.getRequestHeaders().getFirst(InferenceClient.HEADER_LENGTH);
    InferenceRequest req =
        DECODER.decodeRequest(body, h == null ? body.length : Integer.parseInt(h));
    float[] v = req.requireInput("x").asFloatArray();
    for (int i = 0; i < v.length; i++) {
      v[i] *= 2;
    }
    InferenceResponse resp =
        new InferenceResponse(
            "doubler",
            "1",
            req.id(),
            Map.of(),
            java.util.List.of(Tensor.ofFloats("y", req.requireInput("x").shape(), v)));
    boolean binary = Boolean.TRUE.equals(req.parameters().get("binary_data_output"));
    OipJsonEncoder.Encoded e = ENCODER.encodeResponse(resp, binary ? Set.of("y") : Set.of());
    return new FakeOipServer.Answer(
        200,
        e.hasBinary()
            ? Map.of(InferenceClient.HEADER_LENGTH, Integer.toString(e.jsonLength()))
            : Map.of("Content-Type", "application/json"),
        e.body());
  }

  private static FakeOipServer.Answer error(int status, String message, Map<String, String> h) {
    return new FakeOipServer.Answer(
        status, h, ("{\"error\": \"" + message + "\"}").getBytes(StandardCharsets.UTF_8));
  }

  private static InferenceRequest request() {
    return new InferenceRequest(
        "r1",
        Map.of(),
        java.util.List.of(Tensor.ofFloats("x", new long[] {1, 3}, 1f, 2f, 3f)),
        java.util.List.of());
  }

  @Test
  void shouldSendJsonAndDecodeTheResponse() {
    server.then(InferenceClientTest::doubler);

    InferenceResponse r = client.infer("doubler", request());

    assertThat(r.modelName()).isEqualTo("doubler");
    assertThat(r.id()).isEqualTo("r1");
    assertThat(r.output("y").orElseThrow().asFloatArray()).containsExactly(2f, 4f, 6f);
    assertThat(server.seen()).containsExactly("POST /v2/models/doubler/infer");
  }

  @Test
  void shouldUseTheBinaryExtensionBothWaysWhenAsked() {
    server.then(
        (ex, body) -> {
          assertThat(ex.getRequestHeaders().getFirst(InferenceClient.HEADER_LENGTH)).isNotNull();
          return doubler(ex, body);
        });

    InferenceResponse r =
        client.infer(
            "doubler", request(), CallOptions.defaults().withBinary(true).withVersion("7"));

    assertThat(r.output("y").orElseThrow().asFloatArray()).containsExactly(2f, 4f, 6f);
    assertThat(server.seen()).containsExactly("POST /v2/models/doubler/versions/7/infer");
  }

  @Test
  void shouldRetryUnavailableAnswersHonouringRetryAfter() {
    server
        .then((ex, b) -> error(503, "loading", Map.of("Retry-After", "0")))
        .then((ex, b) -> error(429, "rate limited", Map.of("Retry-After", "0")))
        .then(InferenceClientTest::doubler);

    InferenceResponse r = client.infer("doubler", request());

    assertThat(r.output("y")).isPresent();
    assertThat(server.seen()).hasSize(3);
  }

  @Test
  void shouldGiveUpAfterMaxRetriesWithTheServersMessage() {
    server.then(
        (ex, b) ->
            error(503, "model 'doubler' has no ready replica yet", Map.of("Retry-After", "0")));

    assertThatThrownBy(
            () -> client.infer("doubler", request(), CallOptions.defaults().withMaxRetries(2)))
        .isInstanceOfSatisfying(
            ServiceUnavailableException.class,
            e -> {
              assertThat(e.status()).isEqualTo(503);
              assertThat(e.serverMessage()).isEqualTo("model 'doubler' has no ready replica yet");
            });
    assertThat(server.seen()).hasSize(3);
  }

  @Test
  void shouldNotWaitForARetryAfterBeyondTheDeadline() {
    server.then((ex, b) -> error(503, "busy", Map.of("Retry-After", "5")));
    InferenceClient patient =
        InferenceClient.builder(server.uri()).maxRetryDelay(Duration.ofSeconds(60)).build();

    assertThatThrownBy(
            () ->
                patient.infer(
                    "doubler",
                    request(),
                    CallOptions.defaults().withTimeout(Duration.ofSeconds(2))))
        .isInstanceOf(ServiceUnavailableException.class);
    assertThat(server.seen()).hasSize(1);
  }

  @Test
  void shouldMapClientErrorsToTypedExceptionsWithoutRetrying() {
    server
        .then((ex, b) -> error(400, "input 'x': expected shape [-1,3], got [1,4]", Map.of()))
        .then((ex, b) -> error(404, "unknown model 'nope'", Map.of()));

    assertThatThrownBy(() -> client.infer("doubler", request()))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("model 'doubler'")
        .hasMessageContaining("input 'x': expected shape [-1,3], got [1,4]");
    assertThatThrownBy(() -> client.infer("nope", request()))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining("unknown model 'nope'");
    assertThat(server.seen()).hasSize(2);
  }

  @Test
  void shouldTimeOutACallThatGetsNoAnswer() {
    server.then(
        (ex, b) -> {
          release.await(30, TimeUnit.SECONDS);
          return error(500, "too late", Map.of());
        });

    assertThatThrownBy(
            () ->
                client.infer(
                    "doubler",
                    request(),
                    CallOptions.defaults().withTimeout(Duration.ofMillis(300))))
        .isInstanceOfSatisfying(
            InferenceTimeoutException.class, e -> assertThat(e.status()).isZero());
  }

  @Test
  void shouldReportARefusedConnection() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    InferenceClient nowhere =
        InferenceClient.builder(URI.create("http://127.0.0.1:" + port)).build();

    assertThatThrownBy(() -> nowhere.infer("doubler", request()))
        .isInstanceOf(ConnectionException.class);
  }

  @Test
  void shouldAnswerAsynchronously() {
    server.then(InferenceClientTest::doubler);

    InferenceResponse r =
        client.inferAsync("doubler", request()).orTimeout(30, TimeUnit.SECONDS).join();

    assertThat(r.output("y").orElseThrow().asFloatArray()).containsExactly(2f, 4f, 6f);
  }

  @Test
  void shouldRefuseAnInvalidModelNameBeforeSending() {
    assertThatThrownBy(() -> client.infer("../etc", request()))
        .isInstanceOf(InvalidRequestException.class);
    assertThat(server.seen()).isEmpty();
  }
}
