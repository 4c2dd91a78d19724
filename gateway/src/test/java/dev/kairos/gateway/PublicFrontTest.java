package dev.kairos.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kairos.gateway.auth.ApiKeyStore;
import dev.kairos.gateway.auth.ApiKeys;
import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.support.Await;
import dev.kairos.gateway.support.Backend;
import dev.kairos.gateway.support.GatewayFixture;
import io.vertx.core.Future;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The public port's hot path below Vert.x's server (OIP infer with a small body of declared length,
 * taken by a Netty handler in Vert.x's pipeline), against raw sockets: it answers byte for byte
 * what Vert.x's path answers for the same request, keeps answers in request order under pipelining,
 * follows HTTP/1.0 and {@code Connection: close}, and leaves everything else to Vert.x.
 */
class PublicFrontTest {
  private static final String BODY =
      "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,2],\"data\":[1,2]}]}";
  private static final String ECHOED =
      "{\"model_name\":\"echo\",\"outputs\":[{\"name\":\"y\",\"datatype\":\"FP32\",\"shape\":[1,2],\"data\":[1,2]}]}";

  private final GatewayFixture f = new GatewayFixture();
  @TempDir Path dir;

  @AfterEach
  void close() {
    f.close();
  }

  /** An infer request with its body's length declared: one the hot path takes. */
  private static String infer(String model, String version, String... headers) {
    StringBuilder b = new StringBuilder("POST /v2/models/").append(model);
    if (version != null) {
      b.append("/versions/").append(version);
    }
    b.append("/infer HTTP/1.1\r\nHost: x\r\n");
    for (String h : headers) {
      b.append(h).append("\r\n");
    }
    return b.append("Content-Type: application/json\r\nContent-Length: ")
        .append(BODY.length())
        .append("\r\n\r\n")
        .append(BODY)
        .toString();
  }

  /** The same request with a chunked body: one Vert.x's path takes. */
  private static String chunked(String model, String... headers) {
    StringBuilder b = new StringBuilder("POST /v2/models/").append(model);
    b.append("/infer HTTP/1.1\r\nHost: x\r\n");
    for (String h : headers) {
      b.append(h).append("\r\n");
    }
    return b.append("Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        .append(Integer.toHexString(BODY.length()))
        .append("\r\n")
        .append(BODY)
        .append("\r\n0\r\n\r\n")
        .toString();
  }

  private static String get(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
  }

  /** A connection to the gateway that reads whole HTTP/1.x answers of declared length. */
  private final class Conn implements AutoCloseable {
    final Socket s;
    final InputStream in;
    final OutputStream out;

    Conn() throws IOException {
      s = new Socket("127.0.0.1", f.gateway().port());
      s.setSoTimeout(10_000);
      in = s.getInputStream();
      out = s.getOutputStream();
    }

    Conn send(String raw) throws IOException {
      out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return this;
    }

    /** The next answer, head and body, as sent. */
    String answer() throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int state = 0;
      while (state < 4) {
        int c = in.read();
        if (c < 0) {
          throw new IOException("closed after " + head);
        }
        head.write(c);
        state =
            (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3))
                ? state + 1
                : c == '\r' ? 1 : 0;
      }
      String h = head.toString(StandardCharsets.ISO_8859_1);
      int length = 0;
      for (String line : h.split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(15).trim());
        }
      }
      byte[] body = in.readNBytes(length);
      return h + new String(body, StandardCharsets.UTF_8);
    }

    boolean closedByServer() throws IOException {
      try {
        return in.read() < 0;
      } catch (SocketException e) {
        // closed with the client's unread bytes still in the server's buffer: a reset
        return true;
      }
    }

    @Override
    public void close() throws IOException {
      s.close();
    }
  }

  private static int status(String answer) {
    return Integer.parseInt(answer.substring(9, 12));
  }

  private static String body(String answer) {
    return answer.substring(answer.indexOf("\r\n\r\n") + 4);
  }

  @Test
  void shouldTakeTheFirstRequestOfANewConnectionBelowVertx() throws IOException {
    f.serve("mlp", "1", f.backend("a"));
    f.start(GatewayFixture.options());
    try (Conn c = new Conn()) {
      String a = c.send(infer("mlp", null)).answer();
      assertThat(a)
          .isEqualTo(
              "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
                  + ECHOED.length()
                  + "\r\n\r\n"
                  + ECHOED);
    }
    assertThat(f.gateway().callsTakenBelowVertx()).isEqualTo(1);
    // A chunked body, a GET and an invalid name are Vert.x's.
    try (Conn c = new Conn()) {
      assertThat(status(c.send(chunked("mlp")).answer())).isEqualTo(200);
      assertThat(status(c.send(get("/v2/health/live")).answer())).isEqualTo(200);
      assertThat(status(c.send(infer("bad name!", null)).answer())).isEqualTo(400);
    }
    assertThat(f.gateway().callsTakenBelowVertx()).isEqualTo(1);
  }

  @Test
  void shouldAnswerPipelinedRequestsInOrderWhicheverPathTakesThem() throws IOException {
    f.serve("mlp", "1", f.backend("a"));
    Backend slow = f.backend("slow").mode(Backend.Mode.HOLD);
    f.serve("slow", "1", slow);
    f.start(GatewayFixture.options());
    try (Conn c = new Conn()) {
      // All in one write: a held hot request, then a Vert.x request that it could answer at once,
      // then hot and Vert.x requests mixed.
      c.send(
          infer("slow", null)
              + get("/v2/health/live")
              + infer("mlp", null)
              + chunked("nope")
              + infer("nope", null)
              + chunked("mlp")
              + infer("mlp", "1"));
      await().until(() -> slow.heldCount() == 1);
      slow.releaseHeld();
      List<String> answers = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        answers.add(c.answer());
      }
      assertThat(answers.stream().map(PublicFrontTest::status))
          .containsExactly(200, 200, 200, 404, 404, 200, 200);
      assertThat(body(answers.get(0))).isEqualTo(ECHOED);
      assertThat(body(answers.get(1))).isEqualTo("{\"live\":true}");
      assertThat(answers.get(3)).isEqualTo(answers.get(4));
      // A request given to Vert.x and still unanswered holds the hot one behind it.
      c.send(chunked("slow") + infer("mlp", null));
      await().until(() -> slow.heldCount() == 1);
      slow.releaseHeld();
      assertThat(body(c.answer())).isEqualTo(ECHOED);
      assertThat(body(c.answer())).isEqualTo(ECHOED);
    }
    // The slow one, the one after the GET (answered at once by Vert.x), and the unknown model; the
    // rest came while a request given to Vert.x was unanswered.
    assertThat(f.gateway().callsTakenBelowVertx()).isEqualTo(3);
  }

  @Test
  void shouldGatherABodyInManyChunksAndPassALargerOneToVertxBehindIt() throws IOException {
    f.serve("mlp", "1", f.backend("a"));
    f.start(GatewayFixture.options());
    String gathered = "g".repeat(200 * 1024); // taken here, read in many chunks
    String streamed = "s".repeat(300 * 1024); // over the buffered limit: Vert.x's, streamed
    try (Conn c = new Conn()) {
      // Written from another thread: the gateway stops reading while it holds, and answers as
      // this one reads.
      CompletableFuture<Void> sent =
          CompletableFuture.runAsync(
              () -> {
                try {
                  c.send(
                      infer("mlp", null)
                          + raw("mlp", gathered)
                          + raw("mlp", streamed)
                          + infer("mlp", null)
                          + raw("mlp", gathered));
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      assertThat(body(c.answer())).isEqualTo(ECHOED);
      assertThat(body(c.answer())).isEqualTo(gathered);
      assertThat(body(c.answer())).isEqualTo(streamed);
      assertThat(body(c.answer())).isEqualTo(ECHOED);
      assertThat(body(c.answer())).isEqualTo(gathered);
      sent.join();
    }
    // The first two; those after the streamed one came while Vert.x had it, or its successor.
    assertThat(f.gateway().callsTakenBelowVertx()).isBetween(2L, 3L);
  }

  private static String raw(String model, String body) {
    return "POST /v2/models/"
        + model
        + "/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
        + body.length()
        + "\r\n\r\n"
        + body;
  }

  @Test
  void shouldFollowHttp10AndConnectionClose() throws IOException {
    f.serve("mlp", "1", f.backend("a"));
    f.start(GatewayFixture.options());
    String http10 = infer("mlp", null).replace("HTTP/1.1", "HTTP/1.0");
    try (Conn c = new Conn()) {
      assertThat(c.send(http10).answer())
          .isEqualTo(
              "HTTP/1.0 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
                  + ECHOED.length()
                  + "\r\n\r\n"
                  + ECHOED);
      assertThat(c.closedByServer()).isTrue();
    }
    try (Conn c = new Conn()) {
      String keep = http10.replace("Host: x\r\n", "Host: x\r\nConnection: keep-alive\r\n");
      assertThat(c.send(keep).answer())
          .startsWith(
              "HTTP/1.0 200 OK\r\ncontent-type: application/json\r\nconnection: keep-alive\r\n");
      assertThat(status(c.send(keep).answer())).isEqualTo(200);
    }
    try (Conn c = new Conn()) {
      // Pipelined after a Connection: close: never answered.
      c.send(infer("mlp", null, "Connection: close") + infer("mlp", null));
      assertThat(c.answer())
          .startsWith("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n");
      assertThat(c.closedByServer()).isTrue();
    }
    try (Conn c = new Conn()) {
      String notFound = c.send(http10.replace("/mlp/", "/nope/")).answer();
      assertThat(notFound)
          .startsWith("HTTP/1.0 404 Not Found\r\nContent-Type: application/json\r\n");
      assertThat(c.closedByServer()).isTrue();
    }
    assertThat(f.gateway().callsTakenBelowVertx()).isEqualTo(5);
  }

  @Test
  void shouldAnswer413OverTheBodyLimitAndClose() throws IOException {
    f.serve("mlp", "1", f.backend("a"));
    f.start(GatewayFixture.options().withMaxBodyBytes(BODY.length() - 1));
    String tooLarge = "{\"error\":\"request body exceeds " + (BODY.length() - 1) + " bytes\"}";
    try (Conn c = new Conn()) {
      String a = c.send(infer("mlp", null)).answer();
      assertThat(a)
          .isEqualTo(
              "HTTP/1.1 413 Request Entity Too Large\r\nConnection: close\r\n"
                  + "Content-Type: application/json\r\ncontent-length: "
                  + tooLarge.length()
                  + "\r\n\r\n"
                  + tooLarge);
      // The rest of the body is not read, so the connection cannot carry another request.
      assertThat(c.closedByServer()).isTrue();
    }
    // Vert.x's path answered it (as before this handler: the body limit is below the hot path's).
    assertThat(f.gateway().callsTakenBelowVertx()).isZero();
  }

  @Test
  void shouldCancelTheForwardWhenTheClientClosesMidway() throws IOException {
    Backend slow = f.backend("slow").mode(Backend.Mode.HOLD);
    Replica r = f.serve("slow", "1", slow);
    f.start(GatewayFixture.options());
    try (Conn c = new Conn()) {
      c.send(infer("slow", null));
      await().until(() -> slow.heldCount() == 1);
      assertThat(r.inFlight()).isEqualTo(1);
    }
    // The replica's slot is freed at once, without waiting for its answer, and counted as 499.
    await().until(() -> r.inFlight() == 0);
    await()
        .until(
            () ->
                new String(f.gateway().metrics().scrape(), StandardCharsets.UTF_8)
                    .contains("code=\"499\""));
    slow.releaseHeld();
    f.backend("a");
    try (Conn c = new Conn()) {
      assertThat(status(c.send(infer("nope", null)).answer())).isEqualTo(404);
    }
  }

  @Test
  void shouldFinishATakenRequestBeforeAGracefulShutdownClosesItsConnection() throws IOException {
    Backend slow = f.backend("slow").mode(Backend.Mode.HOLD);
    f.serve("slow", "1", slow);
    f.start(GatewayFixture.options());
    int port = f.gateway().port();
    try (Conn c = new Conn()) {
      c.send(infer("slow", null));
      await().until(() -> slow.heldCount() == 1);
      // Vert.x's server sees no request of its own on this connection and closes it at once; the
      // close waits for the answer of the request taken below it.
      Future<Void> down = f.gateway().shutdown(Duration.ofSeconds(20));
      await().until(() -> !accepts(port));
      slow.releaseHeld();
      assertThat(body(c.answer())).isEqualTo(ECHOED);
      assertThat(c.closedByServer()).isTrue();
      Await.result(down);
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Each row: a request's extra header, the model it names; the gateway's error. */
  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
    "'', nope, 404",
    "'Kairos-Timeout-Ms: abc', mlp, 400",
    "'Kairos-Timeout-Ms: 0', mlp, 400",
    "'', failed, 503",
    "'', idle, 503",
  })
  void shouldAnswerErrorsByteForByteAsVertxDoes(String header, String model, int status)
      throws IOException {
    f.serve("mlp", "1", f.backend("a"));
    f.routes.model("failed").markFailed("no such file");
    f.routes.model("idle");
    f.start(GatewayFixture.options());
    String[] headers = header.isEmpty() ? new String[0] : new String[] {header};
    try (Conn c = new Conn()) {
      String viaVertx = c.send(chunked(model, headers)).answer();
      String hot = c.send(infer(model, null, headers)).answer();
      assertThat(status(hot)).isEqualTo(status);
      assertThat(hot).isEqualTo(viaVertx);
    }
    assertThat(f.gateway().callsTakenBelowVertx()).isEqualTo(1);
  }

  @Test
  void shouldRefuseKeysAndRatesByteForByteAsVertxDoes() throws IOException {
    f.serve("mlp", "1", f.backend("a"));
    Path keys = dir.resolve("keys.txt");
    Files.write(
        keys,
        List.of(
            "app " + ApiKeys.sha256Hex("s3cret") + " infer:ml*",
            "slowpoke " + ApiKeys.sha256Hex("few") + " infer:* rate=1/s"));
    f.start(GatewayFixture.options(), ApiKeyStore.fromFile(keys));
    try (Conn c = new Conn()) {
      for (String[] h :
          new String[][] {
            {}, {"Authorization: Bearer wrong"}, {"X-API-Key: s3cret"},
          }) {
        String viaVertx = c.send(chunked("cnn", h)).answer();
        String hot = c.send(infer("cnn", null, h)).answer();
        assertThat(status(hot)).isIn(401, 403);
        assertThat(hot).isEqualTo(viaVertx);
      }
      assertThat(status(c.send(infer("mlp", null, "Authorization: Bearer s3cret")).answer()))
          .isEqualTo(200);
      // Over the key's rate: the same 429 and Retry-After either way.
      String first = c.send(infer("mlp", null, "X-API-Key: few")).answer();
      assertThat(status(first)).isEqualTo(200);
      String hot = c.send(infer("mlp", null, "X-API-Key: few")).answer();
      String viaVertx = c.send(chunked("mlp", "X-API-Key: few")).answer();
      assertThat(status(hot)).isEqualTo(429);
      assertThat(hot).isEqualTo(viaVertx);
    }
  }
}
