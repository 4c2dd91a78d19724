package dev.kairos.runtime.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.generative.EngineConfig;
import dev.kairos.generative.GenerationEngine;
import dev.kairos.generative.GenerationException;
import dev.kairos.generative.GenerativeModel;
import dev.kairos.generative.StepGate;
import dev.kairos.generative.api.ChatTemplate;
import dev.kairos.generative.api.RequestReader;
import dev.kairos.generative.runner.PagedDecoder;
import dev.kairos.generative.text.GptTokenizer;
import dev.kairos.sdk.replica.ReplicaToken;
import dev.kairos.sdk.time.Clock;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The routes over a real socket, with an engine that is never started: requests only queue. */
class GenerateRoutesTest {
  private final Vertx vertx = Vertx.vertx();
  private GenerationEngine engine;

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().join();
    if (engine != null) {
      engine.close();
    }
  }

  @Test
  void shouldAnswer503WithRetryAfterWhenTheQueueIsFull() throws Exception {
    int port = serve(1, StepGate.open(), false, 1 << 20, ReplicaTokenCheck.open());
    // HTTP/1.1: an h2c upgrade attempt would hold the second request behind the first.
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/completions"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"hi\", \"max_tokens\": 2}"))
            .build();
    // The first waits in the queue (the engine never steps); the queue holds one.
    client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              HttpResponse<String> second =
                  client.send(request, HttpResponse.BodyHandlers.ofString());
              assertThat(second.statusCode()).isEqualTo(503);
              assertThat(second.headers().firstValue("Retry-After")).hasValue("1");
              assertThat(second.body())
                  .contains("\"type\":\"overloaded_error\"")
                  .contains("1 sequences already waiting");
            });
  }

  @Test
  void shouldAnswer413AndCloseTheConnectionForABodyOverTheLimit() throws Exception {
    int port = serve(1, StepGate.open(), false, 16, ReplicaTokenCheck.open());
    String body = "{\"prompt\": \"a prompt longer than the limit\"}";
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      + "Content-Length: "
                      + body.length()
                      + "\r\n\r\n"
                      + body)
                  .getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      try {
        in.transferTo(answer); // to the end: the server closes the connection
      } catch (SocketException reset) {
        // closed with the unread body in its buffer: a reset, after the answer
      }
      String text = answer.toString(StandardCharsets.US_ASCII);
      assertThat(text).startsWith("HTTP/1.1 413 ").contains("the body is over 16 bytes");
      assertThat(text.toLowerCase(java.util.Locale.ROOT)).contains("connection: close");
    }
  }

  /** A step gate that lets {@code granted} steps through, then refuses as a full arbiter does. */
  private static StepGate refusingAfter(int granted) {
    AtomicInteger steps = new AtomicInteger();
    return (sequences, tokens, estimatedNanos) -> {
      if (steps.incrementAndGet() > granted) {
        throw new GenerationException.Busy("the device arbiter refused the step: queue full");
      }
      return () -> {};
    };
  }

  /**
   * Serves the tiny model's routes on a new port (returned). Its engine waits for at most {@code
   * maxWaiting} sequences and runs only when {@code start}: otherwise requests only queue.
   */
  private int serve(
      int maxWaiting, StepGate gate, boolean start, int maxBodyBytes, ReplicaTokenCheck check)
      throws Exception {
    GptTokenizer tokenizer = GptTokenizer.named("gpt2");
    engine =
        new GenerationEngine(
            "gpt2-tiny",
            new EngineConfig(128, 16, 8, 1, maxWaiting, 64, 1),
            new PagedDecoder(
                Path.of("..", "examples", "models", "gpt2-tiny", "1", "model.onnx"), 9, 16, 1),
            tokenizer,
            Clock.system(),
            gate);
    if (start) {
      engine.start();
    }
    GenerativeModel model =
        new GenerativeModel(
            "gpt2-tiny",
            engine,
            new RequestReader("gpt2-tiny", tokenizer, 128, ChatTemplate.CHATML));
    return vertx
        .createHttpServer()
        .requestHandler(new GenerateRoutes(model, "1", maxBodyBytes, Clock.system(), vertx, check))
        .listen(0, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .join()
        .actualPort();
  }

  @Test
  void shouldEndAStreamWithAnOverloadedEventWhenTheArbiterRefusesAStep() throws Exception {
    int port = serve(4, refusingAfter(2), true, 1 << 20, ReplicaTokenCheck.open());
    HttpResponse<String> r =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .build()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/completions"))
                    .timeout(Duration.ofSeconds(30))
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"prompt\": \"Hello\", \"max_tokens\": 8, \"stream\": true,"
                                + " \"ignore_eos\": true}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    // Two steps granted (the prompt, then one decode): tokens were sent before the refusal.
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("\"text\":")
        .contains("\"type\":\"overloaded_error\"")
        .contains("device arbiter refused the step")
        .doesNotContain("server_error")
        .endsWith("data: [DONE]\n\n");
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(engine.stats().blocksUsed.get()).isZero());
  }

  @Test
  void shouldAnswer503WithRetryAfterWhenTheArbiterRefusesTheFirstStep() throws Exception {
    int port = serve(4, refusingAfter(0), true, 1 << 20, ReplicaTokenCheck.open());
    HttpResponse<String> r =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .build()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/completions"))
                    .timeout(Duration.ofSeconds(30))
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"prompt\": \"Hello\", \"max_tokens\": 8}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(r.body()).contains("\"type\":\"overloaded_error\"");
  }

  @Test
  void shouldAdmitOnlyCallersWithTheReplicaTokenExceptProbesAndMetrics() throws Exception {
    ReplicaToken token = ReplicaToken.of("a-replica-token-0123456789");
    int port = serve(4, StepGate.open(), false, 1 << 20, ReplicaTokenCheck.requiring(token));
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String base = "http://127.0.0.1:" + port;
    HttpRequest completion =
        HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"hi\", \"max_tokens\": 2}"))
            .build();
    assertThat(client.send(completion, HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(401);
    for (String path : new String[] {"/v1/models", "/v2/models/gpt2-tiny/generate"}) {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(URI.create(base + path)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(path).isEqualTo(401);
      assertThat(r.body()).contains(ReplicaToken.HEADER);
    }
    HttpResponse<String> withToken =
        client.send(
            HttpRequest.newBuilder(URI.create(base + "/v1/models"))
                .header(ReplicaToken.HEADER, token.secret())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(withToken.statusCode()).isEqualTo(200);
    for (String open : new String[] {"/metrics", "/v2/health/ready"}) {
      assertThat(
              client
                  .send(
                      HttpRequest.newBuilder(URI.create(base + open)).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .as(open)
          .isEqualTo(200);
    }
  }
}
