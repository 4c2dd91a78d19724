package dev.kairos.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.support.TestVertx;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The forward path's Netty client against a replica scripted at the socket (real connections on a
 * port of its own): pooled connections reused, {@code Connection: close} honoured, a connection
 * that breaks before or during the answer, the idle deadline, the per-replica limit and the
 * back-pressure of a paused answer.
 */
class ReplicaLinksTest {
  private Vertx vertx;
  private Context context;
  private ReplicaLinks links;
  private NetServer server;
  private final AtomicInteger accepted = new AtomicInteger();
  private final List<NetSocket> sockets = new ArrayList<>();
  private volatile Script script = Script.ANSWER;
  private volatile int bigBytes;

  /** Bytes of the big answer the scripted replica has still to write. */
  private final java.util.concurrent.atomic.AtomicLong bigLeft =
      new java.util.concurrent.atomic.AtomicLong(-1);

  enum Script {
    /** 200 with the request's body, keep-alive. */
    ANSWER,
    /** 200 with the body and {@code Connection: close}, then closes. */
    ANSWER_AND_CLOSE,
    /** Closes the connection without a byte of answer. */
    CLOSE,
    /** Sends the head and part of a declared body, then closes. */
    BREAK_MIDWAY,
    /** Reads the request, answers nothing. */
    SILENT,
    /** 200 with {@link #bigBytes} bytes, chunked in 64 KiB pieces. */
    BIG
  }

  @BeforeEach
  void start() throws Exception {
    vertx = TestVertx.create();
    context = vertx.getOrCreateContext();
    server = vertx.createNetServer();
    server.connectHandler(this::serve);
    server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    links = new ReplicaLinks((VertxInternal) vertx, 1);
  }

  @AfterEach
  void stop() throws Exception {
    links.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void shouldCarryRequestsOneAfterAnotherOnOnePooledConnection() throws Exception {
    Replica r = replica();
    for (int i = 0; i < 5; i++) {
      Answered a = call(r, "hello " + i, 5_000);
      assertThat(a.status).isEqualTo(200);
      assertThat(a.body).isEqualTo("hello " + i);
    }
    assertThat(accepted.get()).isEqualTo(1);
    await().until(() -> links.connections(r)[1] == 1);
  }

  @Test
  void shouldNotReuseAConnectionTheReplicaAnsweredWithConnectionClose() throws Exception {
    Replica r = replica();
    script = Script.ANSWER_AND_CLOSE;
    assertThat(call(r, "one", 5_000).body).isEqualTo("one");
    await().until(() -> links.connections(r)[0] == 0);
    assertThat(call(r, "two", 5_000).body).isEqualTo("two");
    assertThat(accepted.get()).isEqualTo(2);
  }

  @Test
  void shouldFailTheRequestWhenTheReplicaClosesBeforeAnswering() {
    Replica r = replica();
    script = Script.CLOSE;
    assertThat(failure(r, 5_000)).hasMessageContaining("Connection was closed");
    await().until(() -> links.connections(r)[0] == 0);
    script = Script.ANSWER;
    assertThat(call(r, "again", 5_000).body).isEqualTo("again");
  }

  @Test
  void shouldFailTheAnswerWhenTheReplicaClosesMidway() throws Exception {
    Replica r = replica();
    script = Script.BREAK_MIDWAY;
    ReplicaAnswer answer = onContext(() -> send(r, "x", 5_000)).get(10, TimeUnit.SECONDS);
    assertThat(answer.statusCode()).isEqualTo(200);
    CompletableFuture<Buffer> body = new CompletableFuture<>();
    context.runOnContext(
        v ->
            WholeBody.of(answer).onComplete(b -> body.complete(b.succeeded() ? b.result() : null)));
    assertThat(body.get(10, TimeUnit.SECONDS)).as("a body that broke off is no body").isNull();
    await().until(() -> links.connections(r)[0] == 0);
  }

  @Test
  void shouldFailWithATimeoutWhenTheReplicaStaysSilentPastTheIdleDeadline() {
    Replica r = replica();
    script = Script.SILENT;
    Throwable t = failure(r, 200);
    assertThat(Forward.isTimeout(t)).as(t.toString()).isTrue();
    await().until(() -> links.connections(r)[0] == 0);
  }

  @Test
  void shouldHoldAShortDeadlineOnAConnectionWhoseLastRequestHadALongOne() {
    Replica r = replica();
    assertThat(call(r, "patient", 60_000).body).isEqualTo("patient");
    script = Script.SILENT;
    long t0 = System.nanoTime();
    Throwable t = failure(r, 200);
    assertThat(Forward.isTimeout(t)).as(t.toString()).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    assertThat(accepted.get()).isEqualTo(1);
  }

  @Test
  void shouldMakeARequestWaitForTheOnlyConnectionAndTimeOutWhenNoneFrees() throws Exception {
    Replica r = replica();
    script = Script.SILENT;
    CompletableFuture<ReplicaAnswer> first = onContext(() -> send(r, "held", 10_000));
    await().until(() -> accepted.get() == 1);
    CompletableFuture<ReplicaRequest> second =
        onContext(() -> links.request(HttpMethod.POST, r, "/echo", 100, 10_000));
    assertThat(catchCause(second)).satisfies(t -> assertThat(Forward.isTimeout(t)).isTrue());
    // A waiter gets the connection the first request frees.
    CompletableFuture<ReplicaRequest> third =
        onContext(() -> links.request(HttpMethod.POST, r, "/echo", 10_000, 10_000));
    script = Script.ANSWER;
    sockets.get(0).write(ok("held", false));
    assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    ReplicaRequest req = third.get(10, TimeUnit.SECONDS);
    CompletableFuture<Answered> a = new CompletableFuture<>();
    context.runOnContext(v -> read(req.send(Buffer.buffer("next")), a));
    assertThat(a.get(10, TimeUnit.SECONDS).body).isEqualTo("next");
    assertThat(accepted.get()).isEqualTo(1);
  }

  @Test
  void shouldStopReadingFromTheReplicaWhileTheAnswerIsPausedAndHandEveryByteOnResume()
      throws Exception {
    Replica r = replica();
    script = Script.BIG;
    bigBytes = 32 << 20;
    ReplicaAnswer answer = onContext(() -> send(r, "big", 10_000)).get(10, TimeUnit.SECONDS);
    AtomicInteger got = new AtomicInteger();
    CompletableFuture<Void> ended = new CompletableFuture<>();
    context.runOnContext(
        v -> {
          answer.pause();
          answer.handler(b -> got.addAndGet(b.length()));
          answer.endHandler(e -> ended.complete(null));
        });
    // Paused, the client stops reading its socket: the replica cannot write the rest, however
    // long it waits (a client that kept reading would swallow the whole answer at once).
    await().until(() -> bigLeft.get() > 0);
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(5))
        .until(() -> bigLeft.get() > bigBytes / 2);
    assertThat(got.get()).as("nothing is handed over while paused").isZero();
    assertThat(ended).isNotDone();
    context.runOnContext(v -> answer.resume());
    ended.get(30, TimeUnit.SECONDS);
    assertThat(got.get()).isEqualTo(bigBytes);
    await().until(() -> links.connections(r)[1] == 1);
  }

  @Test
  void shouldCloseTheIdleConnectionsOfAReplicaThatDrains() {
    Replica r = replica();
    assertThat(call(r, "a", 5_000).body).isEqualTo("a");
    await().until(() -> links.connections(r)[1] == 1);
    r.drain();
    assertThat(call(r, "b", 5_000).body).isEqualTo("b");
    await().until(() -> links.connections(r)[0] == 0);
  }

  // ---- the client's side

  private record Answered(int status, String body) {}

  private Replica replica() {
    return new Replica("r", "127.0.0.1", server.actualPort());
  }

  private Future<ReplicaAnswer> send(Replica r, String body, long idleMs) {
    return links
        .request(HttpMethod.POST, r, "/echo", 5_000, idleMs)
        .compose(req -> req.putHeader("Content-Type", "text/plain").send(Buffer.buffer(body)));
  }

  private Answered call(Replica r, String body, long idleMs) {
    CompletableFuture<Answered> done = new CompletableFuture<>();
    context.runOnContext(v -> read(send(r, body, idleMs), done));
    try {
      return done.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void read(Future<ReplicaAnswer> f, CompletableFuture<Answered> done) {
    f.onFailure(done::completeExceptionally)
        .onSuccess(
            a ->
                WholeBody.of(a)
                    .onComplete(
                        b -> {
                          if (b.failed()) {
                            done.completeExceptionally(b.cause());
                          } else {
                            done.complete(new Answered(a.statusCode(), b.result().toString()));
                          }
                        }));
  }

  private Throwable failure(Replica r, long idleMs) {
    return catchCause(onContext(() -> send(r, "x", idleMs)));
  }

  private <T> CompletableFuture<T> onContext(java.util.function.Supplier<Future<T>> what) {
    CompletableFuture<T> done = new CompletableFuture<>();
    context.runOnContext(
        v ->
            what.get()
                .onComplete(
                    ar -> {
                      if (ar.succeeded()) {
                        done.complete(ar.result());
                      } else {
                        done.completeExceptionally(ar.cause());
                      }
                    }));
    return done;
  }

  private static Throwable catchCause(CompletableFuture<?> f) {
    try {
      f.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("no failure within 10 s", e);
    }
    throw new AssertionError("the request succeeded");
  }

  // ---- the scripted replica

  private void serve(NetSocket socket) {
    accepted.incrementAndGet();
    synchronized (sockets) {
      sockets.add(socket);
    }
    Buffer[] in = {Buffer.buffer()};
    socket.handler(
        chunk -> {
          in[0].appendBuffer(chunk);
          String text = in[0].toString(StandardCharsets.ISO_8859_1);
          int headEnd = text.indexOf("\r\n\r\n");
          if (headEnd < 0) {
            return;
          }
          int length = 0;
          for (String line : text.substring(0, headEnd).split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
              length = Integer.parseInt(line.substring(15).trim());
            }
          }
          if (in[0].length() < headEnd + 4 + length) {
            return;
          }
          String body = text.substring(headEnd + 4, headEnd + 4 + length);
          in[0] = Buffer.buffer(text.substring(headEnd + 4 + length));
          answer(socket, body);
        });
  }

  private void answer(NetSocket socket, String body) {
    switch (script) {
      case ANSWER -> socket.write(ok(body, false));
      case ANSWER_AND_CLOSE -> socket.write(ok(body, true)).onComplete(v -> socket.close());
      case CLOSE -> socket.close();
      case BREAK_MIDWAY ->
          socket
              .write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789")
              .onComplete(v -> socket.close());
      case SILENT -> {}
      case BIG -> writeBig(socket);
    }
  }

  private void writeBig(NetSocket socket) {
    socket.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    byte[] piece = new byte[64 << 10];
    int[] left = {bigBytes};
    Promise<Void> done = Promise.promise();
    Runnable[] more = new Runnable[1];
    more[0] =
        () -> {
          while (left[0] > 0 && !socket.writeQueueFull()) {
            int n = Math.min(piece.length, left[0]);
            left[0] -= n;
            bigLeft.set(left[0]);
            socket.write(Buffer.buffer(Integer.toHexString(n) + "\r\n"));
            socket.write(Buffer.buffer(piece).slice(0, n));
            socket.write(Buffer.buffer("\r\n"));
          }
          if (left[0] > 0) {
            socket.drainHandler(v -> more[0].run());
          } else {
            socket.write("0\r\n\r\n");
            done.complete();
          }
        };
    more[0].run();
  }

  private static Buffer ok(String body, boolean close) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    return Buffer.buffer(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
            + b.length
            + (close ? "\r\nConnection: close" : "")
            + "\r\n\r\n"
            + body);
  }
}
