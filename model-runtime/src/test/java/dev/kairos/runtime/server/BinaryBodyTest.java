package dev.kairos.runtime.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.runtime.buffer.DirectBufferPool;
import dev.kairos.runtime.core.InferenceService;
import dev.kairos.runtime.core.TestModels;
import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.sdk.model.ModelSignature;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.oip.OipJsonDecoder;
import dev.kairos.sdk.oip.OipJsonEncoder;
import dev.kairos.sdk.tensor.Tensor;
import io.vertx.core.Vertx;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Binary-extension bodies: straight into pooled direct buffers, read in place by the engine. */
class BinaryBodyTest {
  private static final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final int ROWS = 100;
  private static final List<Boolean> directInputs = new CopyOnWriteArrayList<>();
  private static Vertx vertx;
  private static InferenceService service;
  private static RuntimeServer server;
  private static LoadedModel reference;
  private static String url;

  /** The mlp model, noting whether each input it is given lies in a direct buffer. */
  private static final class Observed implements LoadedModel {
    private final LoadedModel model;

    Observed(LoadedModel model) {
      this.model = model;
    }

    @Override
    public ModelSignature signature() {
      return model.signature();
    }

    @Override
    public String platform() {
      return model.platform();
    }

    @Override
    public InferenceResponse infer(InferenceRequest request) {
      request.inputs().forEach(t -> directInputs.add(t.buffer().isDirect()));
      return model.infer(request);
    }

    @Override
    public void close() {
      model.close();
    }
  }

  @BeforeAll
  static void start() {
    ModelDirectory mlp = TestModels.dir("mlp");
    vertx = Vertx.vertx();
    reference = TestModels.load(mlp);
    service = TestModels.service(mlp, new Observed(TestModels.load(mlp)));
    server = new RuntimeServer(vertx, service, 1 << 20, () -> TestModels.load(mlp));
    server.listen("127.0.0.1", 0).toCompletionStage().toCompletableFuture().join();
    url = "http://127.0.0.1:" + server.port() + "/v2/models/mlp/infer";
  }

  @AfterAll
  static void stop() {
    server.close().toCompletionStage().toCompletableFuture().join();
    service.close();
    reference.close();
    vertx.close();
  }

  private static float[] features(int seed) {
    float[] f = new float[ROWS * 16];
    for (int i = 0; i < f.length; i++) {
      f[i] = ((i * 31 + seed) % 97) / 97f;
    }
    return f;
  }

  private static OipJsonEncoder.Encoded binaryRequest(float[] features) {
    InferenceRequest request =
        new InferenceRequest(
            null,
            java.util.Map.of("binary_data_output", true),
            List.of(Tensor.ofFloats("features", new long[] {features.length / 16, 16}, features)),
            List.of());
    return new OipJsonEncoder().encodeRequest(request, Set.of("features"));
  }

  private static HttpResponse<byte[]> post(
      OipJsonEncoder.Encoded body, HttpRequest.BodyPublisher publisher) throws Exception {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/octet-stream")
            .header(RuntimeServer.HEADER_LENGTH, Integer.toString(body.jsonLength()))
            .POST(publisher)
            .build();
    return http.send(req, HttpResponse.BodyHandlers.ofByteArray());
  }

  private static float[] scores(HttpResponse<byte[]> resp) {
    int json = Integer.parseInt(resp.headers().firstValue(RuntimeServer.HEADER_LENGTH).get());
    return new OipJsonDecoder()
        .decodeResponse(resp.body(), json)
        .output("scores")
        .orElseThrow()
        .asFloatArray();
  }

  private static float[] expected(float[] features) {
    return reference
        .infer(
            new InferenceRequest(
                null,
                java.util.Map.of(),
                List.of(
                    Tensor.ofFloats("features", new long[] {features.length / 16, 16}, features)),
                List.of()))
        .output("scores")
        .orElseThrow()
        .asFloatArray();
  }

  @Test
  void shouldHandTheEngineTheBodyInAPooledDirectBufferAndReuseItForTheNextRequest()
      throws Exception {
    DirectBufferPool pool = DirectBufferPool.shared();
    directInputs.clear();
    OipJsonEncoder.Encoded first = binaryRequest(features(1));
    HttpResponse<byte[]> a = post(first, HttpRequest.BodyPublishers.ofByteArray(first.body()));
    assertThat(a.statusCode()).as(new String(a.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    assertThat(scores(a)).containsExactly(expected(features(1)));
    long afterFirst = pool.retainedBytes();
    assertThat(afterFirst).isGreaterThanOrEqualTo(ROWS * 16 * 4L);

    OipJsonEncoder.Encoded second = binaryRequest(features(2));
    HttpResponse<byte[]> b = post(second, HttpRequest.BodyPublishers.ofByteArray(second.body()));
    assertThat(b.statusCode()).isEqualTo(200);
    // different data through the same (reused) buffer: the answer is the second request's
    assertThat(scores(b)).containsExactly(expected(features(2)));
    assertThat(pool.retainedBytes())
        .as("the buffer was reused, not a new one added")
        .isEqualTo(afterFirst);
    assertThat(directInputs).containsExactly(true, true);
  }

  @Test
  void shouldCountOnlyTheJsonPartOfADirectBodyAsDecodingWork() {
    try (var binary = DirectBufferPool.shared().take(600_000)) {
      InferenceBody direct = new InferenceBody.Direct(new byte[120], binary);
      assertThat(direct.length()).isEqualTo(600_120);
      assertThat(direct.decodedBytes())
          .as("the binary section is wrapped, not read: decoding it belongs on the event loop")
          .isEqualTo(120);
    }
    InferenceBody heap =
        new InferenceBody.Heap(io.vertx.core.buffer.Buffer.buffer(new byte[70_000]), 120);
    assertThat(heap.decodedBytes()).isEqualTo(70_000);
  }

  @Test
  void shouldAnswerABinaryBodyLargerThanTheInlineDecodeSize() throws Exception {
    float[] many = new float[2_000 * 16];
    for (int i = 0; i < many.length; i++) {
      many[i] = (i % 89) / 89f;
    }
    OipJsonEncoder.Encoded body = binaryRequest(many);
    assertThat(body.body().length).isGreaterThan(100_000);
    HttpResponse<byte[]> resp = post(body, HttpRequest.BodyPublishers.ofByteArray(body.body()));
    assertThat(resp.statusCode())
        .as(new String(resp.body(), StandardCharsets.UTF_8))
        .isEqualTo(200);
    assertThat(scores(resp)).containsExactly(expected(many));
  }

  @Test
  void shouldDecodeAChunkedBinaryBodyOnTheHeapAsBefore() throws Exception {
    OipJsonEncoder.Encoded body = binaryRequest(features(3));
    HttpResponse<byte[]> resp =
        post(
            body,
            HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body.body())));
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(scores(resp)).containsExactly(expected(features(3)));
  }

  @Test
  void shouldAnswer400AndGiveTheBufferBackWhenBytesAreLeftUnclaimed() throws Exception {
    OipJsonEncoder.Encoded good = binaryRequest(features(4));
    byte[] longer = java.util.Arrays.copyOf(good.body(), good.body().length + 8);
    OipJsonEncoder.Encoded bad = new OipJsonEncoder.Encoded(longer, good.jsonLength());
    long before = DirectBufferPool.shared().retainedBytes();
    HttpResponse<byte[]> resp = post(bad, HttpRequest.BodyPublishers.ofByteArray(longer));
    assertThat(resp.statusCode()).isEqualTo(400);
    assertThat(new String(resp.body(), StandardCharsets.UTF_8))
        .contains("8 bytes of binary data are not claimed");
    // a buffer was taken for the body and given back: the pool holds at least what it held
    assertThat(DirectBufferPool.shared().retainedBytes()).isGreaterThanOrEqualTo(before);
    OipJsonEncoder.Encoded after = binaryRequest(features(4));
    assertThat(post(after, HttpRequest.BodyPublishers.ofByteArray(after.body())).statusCode())
        .isEqualTo(200);
  }
}
