package dev.kairos.runtime.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.generative.EngineConfig;
import dev.kairos.generative.GenerationEngine;
import dev.kairos.generative.GenerativeModel;
import dev.kairos.generative.api.ChatTemplate;
import dev.kairos.generative.api.RequestReader;
import dev.kairos.generative.runner.PagedDecoder;
import dev.kairos.generative.text.GptTokenizer;
import dev.kairos.sdk.time.Clock;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
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
    GptTokenizer tokenizer = GptTokenizer.named("gpt2");
    engine =
        new GenerationEngine(
            "gpt2-tiny",
            new EngineConfig(128, 16, 8, 1, 1, 64, 1),
            new PagedDecoder(
                Path.of("..", "examples", "models", "gpt2-tiny", "1", "model.onnx"), 9, 16, 1),
            tokenizer,
            Clock.system());
    GenerativeModel model =
        new GenerativeModel(
            "gpt2-tiny",
            engine,
            new RequestReader("gpt2-tiny", tokenizer, 128, ChatTemplate.CHATML));
    int port =
        vertx
            .createHttpServer()
            .requestHandler(new GenerateRoutes(model, "1", 1 << 20, Clock.system(), vertx))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .join()
            .actualPort();
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
}
