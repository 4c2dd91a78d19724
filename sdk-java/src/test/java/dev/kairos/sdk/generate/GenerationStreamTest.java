package dev.kairos.sdk.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kairos.sdk.client.InferenceClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The SDK's streamed generation against a real HTTP server that writes SSE event by event. */
class GenerationStreamTest {
  private HttpServer server;
  private InferenceClient client;
  private final AtomicReference<String> lastBody = new AtomicReference<>();
  private final AtomicReference<String> lastAuth = new AtomicReference<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
    client =
        InferenceClient.builder(URI.create("http://127.0.0.1:" + server.getAddress().getPort()))
            .header("Authorization", "Bearer k")
            .build();
  }

  @AfterEach
  void stop() {
    client.close();
    server.stop(0);
  }

  private void route(String path, Handler h) {
    server.createContext(
        path,
        ex -> {
          lastBody.set(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          lastAuth.set(ex.getRequestHeaders().getFirst("Authorization"));
          try {
            h.handle(ex);
          } catch (Exception e) {
            // the client left
          } finally {
            ex.close();
          }
        });
  }

  interface Handler {
    void handle(HttpExchange ex) throws Exception;
  }

  private static void event(OutputStream out, String data) throws IOException {
    out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static OutputStream sse(HttpExchange ex) throws IOException {
    ex.getResponseHeaders().add("Content-Type", "text/event-stream");
    ex.sendResponseHeaders(200, 0);
    return ex.getResponseBody();
  }

  @Test
  void shouldDeliverEachEventBeforeTheNextIsWritten() throws Exception {
    CountDownLatch firstSeen = new CountDownLatch(1);
    route(
        "/v1/completions",
        ex -> {
          OutputStream out = sse(ex);
          event(out, "{\"choices\":[{\"text\":\"Hello\"}]}");
          // The second event is written only once the client has handed on the first.
          assertThat(firstSeen.await(10, TimeUnit.SECONDS)).isTrue();
          event(out, "{\"choices\":[{\"text\":\", world\"}]}");
          event(out, "[DONE]");
        });
    List<String> seen = new CopyOnWriteArrayList<>();
    GenerationStream s =
        client.generate(
            GenerationRequest.of(GenerationRequest.Api.COMPLETION, "gpt2", "Hi")
                .withMaxTokens(5)
                .withTemperature(0)
                .withSeed(3),
            e -> {
              seen.add(e.text());
              firstSeen.countDown();
            });
    assertThat(s.done().get(10, TimeUnit.SECONDS)).isEqualTo("Hello, world");
    assertThat(seen).containsExactly("Hello", ", world");
    assertThat(lastBody.get())
        .isEqualTo(
            "{\"model\":\"gpt2\",\"prompt\":\"Hi\",\"stream\":true,\"max_tokens\":5,"
                + "\"temperature\":0.0,\"seed\":3}");
    assertThat(lastAuth.get()).isEqualTo("Bearer k");
  }

  @Test
  void shouldReadChatDeltasAndTritonEvents() throws Exception {
    route(
        "/v1/chat/completions",
        ex -> {
          OutputStream out = sse(ex);
          event(out, "{\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}");
          event(out, "{\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}");
          event(out, "[DONE]");
        });
    route(
        "/v2/models/gpt2/generate_stream",
        ex -> {
          OutputStream out = sse(ex);
          event(out, "{\"model_name\":\"gpt2\",\"text_output\":\"a\"}");
          event(out, "{\"model_name\":\"gpt2\",\"text_output\":\"b\"}");
        });
    assertThat(
            client
                .generate(GenerationRequest.of(GenerationRequest.Api.CHAT, "gpt2", "x"), e -> {})
                .done()
                .get(10, TimeUnit.SECONDS))
        .isEqualTo("Hi");
    assertThat(lastBody.get()).contains("\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]");
    assertThat(
            client
                .generate(
                    GenerationRequest.of(GenerationRequest.Api.GENERATE, "gpt2", "x")
                        .withMaxTokens(2),
                    e -> {})
                .done()
                .get(10, TimeUnit.SECONDS))
        .isEqualTo("ab");
    assertThat(lastBody.get())
        .isEqualTo("{\"text_input\":\"x\",\"parameters\":{\"max_tokens\":2}}");
  }

  @Test
  void shouldFailWithTheServersStatusAndMessage() {
    route(
        "/v1/completions",
        ex -> {
          byte[] b =
              "{\"error\":{\"message\":\"missing API key\",\"type\":\"authentication_error\"}}"
                  .getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("Content-Type", "application/json");
          ex.sendResponseHeaders(401, b.length);
          ex.getResponseBody().write(b);
        });
    GenerationStream s =
        client.generate(GenerationRequest.of(GenerationRequest.Api.COMPLETION, "m", "x"), e -> {});
    assertThatThrownBy(() -> s.done().join())
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOf(GenerationException.class)
        .hasMessageContaining("HTTP 401: missing API key")
        .satisfies(e -> assertThat(((GenerationException) e).status()).isEqualTo(401));
  }

  @Test
  void shouldFailOnAnErrorEventAndOnAStreamCutShort() {
    route(
        "/v1/completions",
        ex -> {
          OutputStream out = sse(ex);
          event(out, "{\"choices\":[{\"text\":\"a\"}]}");
          event(out, "{\"error\":{\"message\":\"deadline exceeded\",\"type\":\"timeout_error\"}}");
        });
    route(
        "/v1/chat/completions",
        ex -> {
          OutputStream out = sse(ex);
          event(out, "{\"choices\":[{\"delta\":{\"content\":\"a\"}}]}");
        });
    assertThatThrownBy(
            () ->
                client
                    .generate(
                        GenerationRequest.of(GenerationRequest.Api.COMPLETION, "m", "x"), e -> {})
                    .done()
                    .join())
        .hasMessageContaining("deadline exceeded");
    assertThatThrownBy(
            () ->
                client
                    .generate(GenerationRequest.of(GenerationRequest.Api.CHAT, "m", "x"), e -> {})
                    .done()
                    .join())
        .hasMessageContaining("before [DONE]");
  }

  @Test
  void shouldCloseTheConnectionWhenCancelled() throws Exception {
    CountDownLatch writeFailed = new CountDownLatch(1);
    route(
        "/v1/completions",
        ex -> {
          OutputStream out = sse(ex);
          try {
            for (int i = 0; i < 100_000; i++) {
              event(out, "{\"choices\":[{\"text\":\"" + "x".repeat(100) + "\"}]}");
            }
          } catch (IOException e) {
            writeFailed.countDown();
          }
        });
    GenerationStream[] s = new GenerationStream[1];
    s[0] =
        client.generate(
            GenerationRequest.of(GenerationRequest.Api.COMPLETION, "m", "x"),
            e -> {
              if (s[0] != null) {
                s[0].cancel();
              }
            });
    assertThat(s[0].done()).failsWithin(20, TimeUnit.SECONDS);
    // the server's writes fail: the connection was closed
    assertThat(writeFailed.await(20, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void shouldRefuseBadRequestValues() {
    GenerationRequest r = GenerationRequest.of(GenerationRequest.Api.COMPLETION, "m", "x");
    assertThatThrownBy(() -> r.withTemperature(-1)).hasMessageContaining("temperature = -1");
    assertThatThrownBy(() -> r.withMaxTokens(0)).hasMessageContaining("maxTokens = 0");
    assertThatThrownBy(() -> GenerationRequest.of(GenerationRequest.Api.CHAT, "../x", "p"))
        .hasMessageContaining("not a valid model name");
  }
}
