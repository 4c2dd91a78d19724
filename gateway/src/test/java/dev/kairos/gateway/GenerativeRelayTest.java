package dev.kairos.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kairos.gateway.route.ModelLimits;
import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.support.Await;
import dev.kairos.gateway.support.GatewayFixture;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's generative adapter and streaming relay, against a replica on a real port that
 * writes server-sent events when told: the OpenAI body's model routes the request, each event is
 * relayed before the next is written, a stream outlives the model's timeout while events flow, a
 * client that leaves closes the replica's request, and a stream the replica breaks off ends with an
 * error event in the API's format.
 */
class GenerativeRelayTest {
  private GatewayFixture f;
  private HttpServer replica;
  private final List<String> paths = new CopyOnWriteArrayList<>();
  private final List<String> bodies = new CopyOnWriteArrayList<>();
  private final List<String> deadlines = new CopyOnWriteArrayList<>();
  private final AtomicReference<Promise<Void>> next = new AtomicReference<>();
  private final AtomicBoolean upstreamClosed = new AtomicBoolean();
  private volatile int periodicEvents;

  /** The replica closes its connection after its first event, as one that dies mid-stream. */
  private volatile boolean breakOff;

  @BeforeEach
  void start() {
    f = new GatewayFixture();
    replica = f.vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0));
    Await.result(replica.requestHandler(this::answer).listen());
    ModelRoute route = f.routes.model("gen");
    route.setGenerative(true);
    route.version("1").add(new Replica("gen-1", "127.0.0.1", replica.actualPort(), 0));
    route.markReady();
    // A model that answers within 300 ms, or is answered 504
    route.setLimits(new ModelLimits(16, 16, Duration.ofSeconds(1), Duration.ofMillis(300)));
    ModelRoute tensor = f.routes.model("mlp");
    tensor.version("1");
    tensor.markReady();
    f.start(GatewayFixture.options());
  }

  @AfterEach
  void stop() {
    f.close();
  }

  /** Streams: one event now, the next each time {@link #next} is completed, or on a timer. */
  private void answer(HttpServerRequest req) {
    paths.add(req.path());
    deadlines.add(String.valueOf(req.getHeader("timeout")));
    req.body()
        .onSuccess(
            b -> {
              bodies.add(b.toString());
              var resp = req.response();
              resp.closeHandler(v -> upstreamClosed.set(true));
              resp.setChunked(true).putHeader("Content-Type", "text/event-stream");
              resp.write("data: {\"n\":0}\n\n");
              if (breakOff) {
                // Once the event is on the wire, the connection goes: no chunked terminator.
                resp.write("").onComplete(w -> req.connection().close());
                return;
              }
              if (periodicEvents > 0) {
                int[] n = {0};
                f.vertx.setPeriodic(
                    100,
                    id -> {
                      if (++n[0] < periodicEvents) {
                        resp.write("data: {\"n\":" + n[0] + "}\n\n");
                      } else {
                        f.vertx.cancelTimer(id);
                        resp.end("data: [DONE]\n\n");
                      }
                    });
                return;
              }
              step(resp, 1);
            });
  }

  private void step(io.vertx.core.http.HttpServerResponse resp, int n) {
    Promise<Void> p = Promise.promise();
    next.set(p);
    p.future()
        .onSuccess(
            v -> {
              if (n < 3) {
                resp.write("data: {\"n\":" + n + "}\n\n");
                step(resp, n + 1);
              } else {
                resp.end("data: [DONE]\n\n");
              }
            });
  }

  private static String request(String path, String body) {
    return "POST "
        + path
        + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
        + body.getBytes(StandardCharsets.UTF_8).length
        + "\r\n\r\n"
        + body;
  }

  /** The next SSE data line, skipping chunk sizes and blank lines. */
  private static String nextData(BufferedReader in) throws Exception {
    for (String line; (line = in.readLine()) != null; ) {
      if (line.startsWith("data: ")) {
        return line.substring(6);
      }
    }
    return null;
  }

  @Test
  void shouldRelayEachEventBeforeTheReplicaWritesTheNext() throws Exception {
    String body = "{\"prompt\":\"hi\",\"stream\":true,\"model\":\"gen\",\"max_tokens\":3}";
    try (Socket s = new Socket("127.0.0.1", f.gateway().port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request("/v1/completions", body).getBytes(StandardCharsets.UTF_8));
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
      assertThat(nextData(in)).isEqualTo("{\"n\":0}");
      // The replica writes the second event only now that the client has the first.
      for (int n = 1; n < 3; n++) {
        await().until(() -> next.get() != null);
        next.getAndSet(null).complete();
        assertThat(nextData(in)).isEqualTo("{\"n\":" + n + "}");
      }
      await().until(() -> next.get() != null);
      next.getAndSet(null).complete();
      assertThat(nextData(in)).isEqualTo("[DONE]");
    }
    assertThat(paths).containsExactly("/v1/completions");
    assertThat(bodies).containsExactly(body);
    assertThat(deadlines).as("a stream has no deadline in total").containsExactly("null");
  }

  @Test
  void shouldKeepAStreamGoingPastTheModelTimeoutWhileEventsFlow() {
    periodicEvents = 10; // 100 ms apart: a second in all, the model's timeout is 300 ms
    HttpResponse<String> r =
        f.http.post(f.url("/v2/models/gen/generate_stream"), "{\"text_input\":\"hi\"}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/event-stream");
    assertThat(r.body()).contains("data: {\"n\":9}").endsWith("data: [DONE]\n\n");
    assertThat(paths).containsExactly("/v2/models/gen/generate_stream");
  }

  @Test
  void shouldCloseTheReplicasRequestWhenTheClientLeaves() throws Exception {
    String body = "{\"model\":\"gen\",\"messages\":[],\"stream\":true}";
    try (Socket s = new Socket("127.0.0.1", f.gateway().port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write(request("/v1/chat/completions", body).getBytes(StandardCharsets.UTF_8));
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      assertThat(nextData(in)).isEqualTo("{\"n\":0}");
    }
    await().atMost(Duration.ofSeconds(10)).untilTrue(upstreamClosed);
  }

  @Test
  void shouldAnswerBadOpenAiBodiesAtTheGatewayWithoutAReplica() {
    HttpResponse<String> missing = f.http.post(f.url("/v1/completions"), "{\"prompt\":\"hi\"}");
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(missing.body()).contains("no 'model' field").contains("invalid_request_error");
    assertThat(f.http.post(f.url("/v1/completions"), "{\"model\":").statusCode()).isEqualTo(400);
    HttpResponse<String> unknown =
        f.http.post(f.url("/v1/chat/completions"), "{\"model\":\"nope\"}");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("unknown model 'nope'");
    assertThat(f.http.post(f.url("/v1/completions"), "{\"model\":\"mlp\"}").body())
        .contains("does not generate text");
    assertThat(f.http.get(f.url("/v1/completions")).statusCode()).isEqualTo(405);
    assertThat(paths).isEmpty();

    HttpResponse<String> list = f.http.get(f.url("/v1/models"));
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.body()).contains("\"id\":\"gen\"").doesNotContain("mlp");
  }

  @Test
  void shouldEndAnOpenAiStreamTheReplicaBreaksOffWithAnErrorEvent() {
    breakOff = true;
    HttpResponse<String> r =
        f.http.post(
            f.url("/v1/chat/completions"), "{\"model\":\"gen\",\"messages\":[],\"stream\":true}");
    // Without the error event the client's connection was reset: the send itself threw.
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).startsWith("data: {\"n\":0}\n\n");
    String last = r.body().substring("data: {\"n\":0}\n\n".length());
    assertThat(last)
        .startsWith(
            "data: {\"error\":{\"message\":\"the replica of model 'gen' broke off the stream")
        .contains("\"type\":\"server_error\"")
        .endsWith("}}\n\n")
        .doesNotContain("[DONE]");
  }

  @Test
  void shouldEndATritonGenerateStreamTheReplicaBreaksOffWithAnErrorEvent() {
    breakOff = true;
    HttpResponse<String> r =
        f.http.post(f.url("/v2/models/gen/generate_stream"), "{\"text_input\":\"hi\"}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/event-stream");
    assertThat(r.body())
        .startsWith("data: {\"n\":0}\n\n")
        .endsWith("\n\n")
        .contains("data: {\"error\":\"the replica of model 'gen' broke off the stream");
    // The stream ended cleanly, so the client's connection serves the next request.
    breakOff = false;
    periodicEvents = 2;
    assertThat(f.http.post(f.url("/v2/models/gen/generate_stream"), "{}").body())
        .endsWith("data: [DONE]\n\n");
  }
}
