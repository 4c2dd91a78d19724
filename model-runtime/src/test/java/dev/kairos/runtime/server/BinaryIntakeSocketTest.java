package dev.kairos.runtime.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kairos.runtime.buffer.DirectBufferPool;
import dev.kairos.runtime.core.InferenceService;
import dev.kairos.runtime.core.TestModels;
import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.OipJsonDecoder;
import dev.kairos.sdk.oip.OipJsonEncoder;
import dev.kairos.sdk.tensor.Tensor;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Binary bodies read below Vert.x ({@link BinaryIntake}), over raw sockets: what a connection sees,
 * and that every pooled buffer goes back to the pool.
 */
class BinaryIntakeSocketTest {
  private static final int ROWS = 50;
  private static final int MAX_BODY = 1 << 20;
  private static final DirectBufferPool pool = DirectBufferPool.shared();
  private static Vertx vertx;
  private static InferenceService service;
  private static RuntimeServer server;
  private static LoadedModel reference;
  private long lentBefore;

  private record Response(int status, Map<String, String> headers, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  @BeforeAll
  static void start() {
    ModelDirectory mlp = TestModels.dir("mlp");
    vertx = Vertx.vertx();
    reference = TestModels.load(mlp);
    service = TestModels.service(mlp, TestModels.load(mlp));
    server = new RuntimeServer(vertx, service, MAX_BODY, () -> TestModels.load(mlp));
    server.listen("127.0.0.1", 0).toCompletionStage().toCompletableFuture().join();
  }

  /** The runtime's count of requests answered (or closed) with {@code code}. */
  private static double answered(String code) {
    String prefix =
        "kairos_runtime_requests_total{code=\"" + code + "\",model=\"mlp\",version=\"1\"} ";
    for (String line :
        new String(service.metrics().meters().scrape(), StandardCharsets.UTF_8).split("\n")) {
      if (line.startsWith(prefix)) {
        return Double.parseDouble(line.substring(prefix.length()).trim());
      }
    }
    return 0;
  }

  @AfterAll
  static void stop() {
    server.close().toCompletionStage().toCompletableFuture().join();
    service.close();
    reference.close();
    vertx.close();
  }

  @BeforeEach
  void noteLentBuffers() {
    lentBefore = pool.lentBuffers();
  }

  private void awaitEveryBufferBack() {
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(pool.lentBuffers()).isEqualTo(lentBefore));
  }

  private static float[] features(int seed) {
    float[] f = new float[ROWS * 16];
    for (int i = 0; i < f.length; i++) {
      f[i] = ((i * 31 + seed) % 97) / 97f;
    }
    return f;
  }

  private static InferenceRequest request(float[] features) {
    return request(features, Map.of("binary_data_output", true));
  }

  private static InferenceRequest request(float[] features, Map<String, Object> parameters) {
    return new InferenceRequest(
        null,
        parameters,
        List.of(Tensor.ofFloats("features", new long[] {ROWS, 16}, features)),
        List.of());
  }

  private static byte[] binaryPost(float[] features) {
    OipJsonEncoder.Encoded body =
        new OipJsonEncoder().encodeRequest(request(features), Set.of("features"));
    return post(body.body(), "application/octet-stream", body.jsonLength());
  }

  private static byte[] jsonPost(float[] features) {
    return post(
        new OipJsonEncoder().encodeRequest(request(features, Map.of())), "application/json", -1);
  }

  private static byte[] post(byte[] body, String contentType, int jsonLength) {
    String head =
        "POST /v2/models/mlp/infer HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
            + contentType
            + "\r\nContent-Length: "
            + body.length
            + "\r\n"
            + (jsonLength >= 0 ? RuntimeServer.HEADER_LENGTH + ": " + jsonLength + "\r\n" : "")
            + "\r\n";
    return concat(head.getBytes(StandardCharsets.US_ASCII), body);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static Socket connect() throws IOException {
    Socket s = new Socket("127.0.0.1", server.port());
    s.setSoTimeout(10_000);
    return s;
  }

  private static Response read(InputStream in) throws IOException {
    String status = line(in);
    Map<String, String> headers = new HashMap<>();
    for (String h; !(h = line(in)).isEmpty(); ) {
      int colon = h.indexOf(':');
      headers.put(
          h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
    }
    byte[] body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
    return new Response(Integer.parseInt(status.split(" ")[1]), headers, body);
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c; (c = in.read()) != '\n'; ) {
      if (c < 0) {
        throw new IOException("connection closed, read so far: " + b);
      }
      if (c != '\r') {
        b.append((char) c);
      }
    }
    return b.toString();
  }

  private static float[] expected(float[] features) {
    return reference.infer(request(features)).output("scores").orElseThrow().asFloatArray();
  }

  private static float[] scores(Response r) {
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    String json = r.headers().get(RuntimeServer.HEADER_LENGTH.toLowerCase(Locale.ROOT));
    return new OipJsonDecoder()
        .decodeResponse(r.body(), Integer.parseInt(json))
        .output("scores")
        .orElseThrow()
        .asFloatArray();
  }

  @Test
  void shouldReadTheBodyOfTheFirstRequestOfANewConnectionBelowVertx() throws Exception {
    long before = server.capturedBodies();
    try (Socket s = connect()) {
      s.getOutputStream().write(binaryPost(features(1)));
      assertThat(scores(read(s.getInputStream()))).containsExactly(expected(features(1)));
    }
    assertThat(server.capturedBodies() - before).isEqualTo(1);
    awaitEveryBufferBack();
  }

  @Test
  void shouldReadEveryBodyBelowVertxOnAKeepAliveConnection() throws Exception {
    long before = server.capturedBodies();
    try (Socket s = connect()) {
      for (int i = 0; i < 30; i++) {
        s.getOutputStream().write(binaryPost(features(100 + i)));
        assertThat(scores(read(s.getInputStream()))).containsExactly(expected(features(100 + i)));
      }
    }
    assertThat(server.capturedBodies() - before)
        .as("each request was sent after the previous answer, so none was held back")
        .isEqualTo(30);
    awaitEveryBufferBack();
  }

  @Test
  void shouldAnswerPipelinedBinaryJsonAndGetRequestsInOrder() throws Exception {
    byte[] ready = "GET /v2/health/ready HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes();
    try (Socket s = connect()) {
      s.getOutputStream()
          .write(
              concat(
                  binaryPost(features(2)),
                  jsonPost(features(3)),
                  ready,
                  binaryPost(features(4)),
                  binaryPost(features(5))));
      InputStream in = s.getInputStream();
      assertThat(scores(read(in))).containsExactly(expected(features(2)));
      Response json = read(in);
      assertThat(json.status()).as(json.text()).isEqualTo(200);
      assertThat(
              new OipJsonDecoder()
                  .decodeResponse(json.body())
                  .output("scores")
                  .orElseThrow()
                  .asFloatArray())
          .containsExactly(expected(features(3)));
      assertThat(read(in).text()).isEqualTo("{\"ready\":true}");
      assertThat(scores(read(in))).containsExactly(expected(features(4)));
      assertThat(scores(read(in))).containsExactly(expected(features(5)));
    }
    awaitEveryBufferBack();
  }

  @Test
  void shouldGiveTheBufferBackWhenTheConnectionDropsMidBody() throws Exception {
    long before = server.capturedBodies();
    double closedBefore = answered("499");
    double failedBefore = answered("500");
    byte[] request = binaryPost(features(6));
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      out.write(request, 0, request.length - 100);
      out.flush();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> server.capturedBodies() - before == 1 && pool.lentBuffers() > lentBefore);
    }
    awaitEveryBufferBack();
    // counted as the client's hang-up (499), not as the model's failure (500)
    await().atMost(Duration.ofSeconds(10)).until(() -> answered("499") == closedBefore + 1);
    assertThat(answered("500")).isEqualTo(failedBefore);
    try (Socket s = connect()) {
      s.getOutputStream().write(binaryPost(features(7)));
      assertThat(scores(read(s.getInputStream()))).containsExactly(expected(features(7)));
    }
    awaitEveryBufferBack();
  }

  @Test
  void shouldAnswer413ForABodyOverTheLimitWithoutReadingIt() throws Exception {
    long before = server.capturedBodies();
    String head =
        "POST /v2/models/mlp/infer HTTP/1.1\r\nHost: localhost\r\n"
            + "Content-Type: application/octet-stream\r\nContent-Length: "
            + (MAX_BODY + 1)
            + "\r\n"
            + RuntimeServer.HEADER_LENGTH
            + ": 100\r\n\r\n";
    try (Socket s = connect()) {
      s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      Response r = read(s.getInputStream());
      assertThat(r.status()).isEqualTo(413);
      assertThat(r.text()).contains("request body exceeds " + MAX_BODY + " bytes");
      assertThat(r.headers().get("connection")).isEqualTo("close");
      // and closes: the body was never read, so the connection cannot carry another request
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
    assertThat(server.capturedBodies()).isEqualTo(before);
    awaitEveryBufferBack();
  }

  @Test
  void shouldLeaveTheBodyOfARequestAnsweredWithoutItToVertx() throws Exception {
    long before = server.capturedBodies();
    byte[] wrongType =
        new String(binaryPost(features(8)), StandardCharsets.ISO_8859_1)
            .replace("application/octet-stream", "image/png")
            .getBytes(StandardCharsets.ISO_8859_1);
    try (Socket s = connect()) {
      s.getOutputStream().write(concat(wrongType, binaryPost(features(9))));
      InputStream in = s.getInputStream();
      assertThat(read(in).status()).isEqualTo(415);
      assertThat(scores(read(in))).containsExactly(expected(features(9)));
    }
    assertThat(server.capturedBodies() - before).isBetween(0L, 1L);
    awaitEveryBufferBack();
  }

  @Test
  void shouldAnswer400ForAMalformedBinarySectionAndKeepTheConnection() throws Exception {
    OipJsonEncoder.Encoded good =
        new OipJsonEncoder().encodeRequest(request(features(10)), Set.of("features"));
    byte[] longer = java.util.Arrays.copyOf(good.body(), good.body().length + 8);
    try (Socket s = connect()) {
      s.getOutputStream()
          .write(
              concat(
                  post(longer, "application/octet-stream", good.jsonLength()),
                  binaryPost(features(11))));
      InputStream in = s.getInputStream();
      Response bad = read(in);
      assertThat(bad.status()).isEqualTo(400);
      assertThat(bad.text()).contains("8 bytes of binary data are not claimed");
      assertThat(scores(read(in))).containsExactly(expected(features(11)));
    }
    awaitEveryBufferBack();
  }

  @Test
  void shouldStillReadAChunkedBinaryBodyOnTheHeap() throws Exception {
    long before = server.capturedBodies();
    OipJsonEncoder.Encoded body =
        new OipJsonEncoder().encodeRequest(request(features(12)), Set.of("features"));
    List<byte[]> parts = new ArrayList<>();
    parts.add(
        ("POST /v2/models/mlp/infer HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n"
                + RuntimeServer.HEADER_LENGTH
                + ": "
                + body.jsonLength()
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    parts.add(
        (Integer.toHexString(body.body().length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    parts.add(body.body());
    parts.add("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    try (Socket s = connect()) {
      s.getOutputStream().write(concat(parts.toArray(byte[][]::new)));
      assertThat(scores(read(s.getInputStream()))).containsExactly(expected(features(12)));
    }
    assertThat(server.capturedBodies()).isEqualTo(before);
  }
}
