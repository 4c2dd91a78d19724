package dev.kairos.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kairos.gateway.activator.ActivatorOptions;
import dev.kairos.gateway.resilience.BreakerOptions;
import dev.kairos.gateway.resilience.RetryOptions;
import dev.kairos.gateway.route.ModelLimits;
import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.support.Backend;
import dev.kairos.gateway.support.GatewayFixture;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GatewayResilienceTest {
  private static final String BODY =
      "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,2],\"data\":[1,2]}]}";
  private final GatewayFixture f = new GatewayFixture();

  @AfterEach
  void close() {
    f.close();
  }

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private HttpResponse<String> infer() {
    return f.http.post(f.url("/v2/models/m/infer"), BODY);
  }

  @Test
  void shouldRetryOnAnotherReplicaWhenTheConnectionIsRefused() throws IOException {
    Replica dead = new Replica("dead", "127.0.0.1", closedPort());
    f.routes.model("m").version("1").add(dead);
    Backend ok = f.backend("ok");
    f.serve("m", "1", ok);
    f.start(GatewayFixture.options());
    for (int i = 0; i < 10; i++) {
      assertThat(infer().statusCode()).isEqualTo(200);
    }
    assertThat(ok.received()).isEqualTo(10);
    assertThat(dead.inFlight()).isZero();
    assertThat(ok.received()).isEqualTo(10);
    assertThat(f.http.get(f.url("/metrics")).body())
        .contains("kairos_gateway_retries_total{model=\"m\",outcome=\"retried\"}");
  }

  @Test
  void shouldNotRetryARequestThatReachedTheReplicaWhenRetryOnResetIsOff() {
    Backend closing = f.backend("closing").mode(Backend.Mode.CLOSE);
    f.serve("m", "1", closing);
    Backend other = f.backend("other");
    f.serve("m", "1", other);
    f.start(GatewayFixture.options().withRetry(RetryOptions.defaults().withRetryOnReset(false)));
    HttpResponse<String> r = infer();
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(closing.received()).isEqualTo(1);
    assertThat(other.received()).isZero();
    assertThat(f.routes.find("m").inFlight()).isZero();
  }

  @Test
  void shouldRetryOnAnotherReplicaWhenAReplicaClosesWithoutAnswering() {
    Backend closing = f.backend("closing").mode(Backend.Mode.CLOSE);
    Backend ok = f.backend("ok");
    f.serve("m", "1", closing);
    f.serve("m", "1", ok);
    f.start(GatewayFixture.options());
    for (int i = 0; i < 10; i++) {
      assertThat(infer().statusCode()).isEqualTo(200);
    }
    assertThat(closing.received()).isPositive();
    assertThat(ok.received()).isEqualTo(10);
    assertThat(f.routes.find("m").inFlight()).isZero();
    assertThat(f.http.get(f.url("/metrics")).body())
        .containsPattern(
            "kairos_gateway_retries_total\\{model=\"m\",outcome=\"retried\"} "
                + closing.received()
                + "\\.0");
  }

  @Test
  void shouldAnswerAReplicas503AtOnceWhenNoOtherReplicaCanTakeIt() {
    Backend draining = f.backend("draining").mode(Backend.Mode.DRAINING_503);
    f.serve("m", "1", draining);
    f.startWithActivator(
        GatewayFixture.options(), ActivatorOptions.defaults().withMaxWait(Duration.ofMinutes(5)));
    HttpResponse<String> r = infer();
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(r.body()).contains("overloaded");
    assertThat(draining.received()).isEqualTo(1);
  }

  @Test
  void shouldHoldARequestForAReplicaNoLongerThanItsDeadline() {
    f.routes.model("m").version("1");
    f.routes.find("m").markReady();
    f.startWithActivator(
        GatewayFixture.options(), ActivatorOptions.defaults().withMaxWait(Duration.ofMinutes(5)));
    HttpResponse<String> r =
        f.http.post(f.url("/v2/models/m/infer"), BODY, "Kairos-Timeout-Ms", "200");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).contains("none became ready within 200 ms");
  }

  /** A request to model m, at zero replicas, sent and held by the activator. */
  private CompletableFuture<HttpResponse<String>> heldAtZero() {
    f.routes.model("m").version("1");
    f.routes.find("m").markReady();
    f.startWithActivator(
        GatewayFixture.options(), ActivatorOptions.defaults().withMaxWait(Duration.ofMinutes(5)));
    CompletableFuture<HttpResponse<String>> r =
        CompletableFuture.supplyAsync(
            () -> f.http.post(f.url("/v2/models/m/infer"), BODY, "Kairos-Timeout-Ms", "60000"));
    await().atMost(Duration.ofSeconds(10)).until(() -> f.activator.held("m") == 1);
    return r;
  }

  @Test
  void shouldAnswer404AtOnceWhenTheModelIsRemovedWhileItsRequestIsHeld() {
    CompletableFuture<HttpResponse<String>> r = heldAtZero();
    f.routes.remove("m");
    HttpResponse<String> answer = r.orTimeout(15, TimeUnit.SECONDS).join();
    assertThat(answer.statusCode()).isEqualTo(404);
    assertThat(answer.body()).contains("model 'm' was removed while the request waited");
  }

  @Test
  void shouldForwardAHeldRequestToAModelRemovedAndAddedAgain() {
    Backend again = f.backend("again");
    // Registered before the activator's listener, so the model is back, with a replica, by the
    // time the removal reaches the activator: the request's old route is gone, a new one serves.
    boolean[] added = {false};
    f.routes.onRoutingChange(
        m -> {
          if (!added[0] && f.routes.find("m") == null) {
            added[0] = true;
            f.serve("m", "1", again);
          }
        });
    CompletableFuture<HttpResponse<String>> r = heldAtZero();
    f.routes.remove("m");
    HttpResponse<String> answer = r.orTimeout(15, TimeUnit.SECONDS).join();
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(again.received()).isEqualTo(1);
  }

  @Test
  void shouldRetryA503FromADrainingReplicaOnAnother() {
    Backend draining = f.backend("draining").mode(Backend.Mode.DRAINING_503);
    Backend ok = f.backend("ok");
    f.serve("m", "1", draining);
    f.serve("m", "1", ok);
    f.start(GatewayFixture.options());
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = infer();
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("X-Replica")).isEmpty();
    }
    assertThat(ok.received()).isEqualTo(20);
    assertThat(draining.received()).isPositive();
  }

  @Test
  void shouldStopRetryingWhenTheBudgetIsSpent() throws IOException {
    f.routes.model("m").version("1").add(new Replica("dead", "127.0.0.1", closedPort()));
    f.serve("m", "1", f.backend("ok"));
    f.start(GatewayFixture.options().withRetry(new RetryOptions(3, 0.0, 0.0)));
    int refused = 0;
    for (int i = 0; i < 20; i++) {
      int code = infer().statusCode();
      assertThat(code).isIn(200, 503);
      if (code == 503) {
        refused++;
      }
    }
    assertThat(refused).isPositive();
    assertThat(f.http.get(f.url("/metrics")).body())
        .contains("kairos_gateway_retries_total{model=\"m\",outcome=\"budget_exhausted\"}");
  }

  @Test
  void shouldOpenTheBreakerOfAFailingReplicaAndProbeItBack() {
    Backend bad = f.backend("bad").mode(Backend.Mode.FAIL_500);
    Backend good = f.backend("good");
    Replica badReplica = f.serve("m", "1", bad);
    f.serve("m", "1", good);
    f.start(
        GatewayFixture.options()
            .withBreaker(new BreakerOptions(50, 10, 4, Duration.ofSeconds(30), 1)));
    for (int i = 0; i < 60; i++) {
      infer();
    }
    assertThat(badReplica.breakerState()).isEqualTo("OPEN");
    int badBefore = bad.received();
    assertThat(badBefore).isBetween(4, 30);
    for (int i = 0; i < 20; i++) {
      assertThat(infer().statusCode()).isEqualTo(200);
    }
    assertThat(bad.received()).isEqualTo(badBefore);
    assertThat(f.http.get(f.url("/metrics")).body())
        .contains("kairos_gateway_breaker_state{model=\"m\",replica=\"bad\",version=\"1\"} 1.0");

    bad.mode(Backend.Mode.ECHO);
    f.time.advance(Duration.ofSeconds(31));
    for (int i = 0; i < 40 && bad.received() == badBefore; i++) {
      assertThat(infer().statusCode()).isEqualTo(200);
    }
    assertThat(bad.received()).isEqualTo(badBefore + 1);
    assertThat(badReplica.breakerState()).isEqualTo("CLOSED");
  }

  @Test
  void shouldAnswer503AtOnceWhenTheBulkheadAndQueueAreFull() {
    Backend slow = f.backend("slow").mode(Backend.Mode.HOLD);
    f.serve("m", "1", slow);
    f.routes.find("m").setLimits(ModelLimits.defaults().withMaxInFlight(1).withMaxQueued(0));
    f.start(GatewayFixture.options());
    CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(this::infer);
    await().until(() -> slow.heldCount() == 1);
    HttpResponse<String> refused = infer();
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(refused.body()).contains("overloaded");
    slow.releaseHeld();
    assertThat(first.join().statusCode()).isEqualTo(200);
    assertThat(f.http.get(f.url("/metrics")).body())
        .contains("kairos_gateway_rejections_total{model=\"m\",reason=\"overloaded\"} 1.0");
  }

  @Test
  void shouldRefuseAnInferenceFromItsHeadersWhenEveryReplicaHoldsAllItAdmits() throws IOException {
    Backend busy = f.backend("busy").mode(Backend.Mode.HOLD);
    Replica r = f.serve("m", "1", busy, 1);
    f.start(GatewayFixture.options());
    CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(this::infer);
    await().until(() -> busy.heldCount() == 1);

    // The body is announced but not sent: the refusal cannot wait for it.
    int length = 100_000;
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", f.gateway().port())) {
      s.setSoTimeout(10_000);
      var out = s.getOutputStream();
      out.write(
          ("POST /v2/models/m/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  + "Content-Length: "
                  + length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      var in = new java.io.BufferedInputStream(s.getInputStream());
      String refused = readResponse(in);
      assertThat(refused).startsWith("HTTP/1.1 503").contains("Retry-After: 1");
      assertThat(refused).contains("model 'm' is overloaded: every replica holds all");
      // The same connection then serves the next request once the unread body has passed.
      out.write(new byte[length]);
      out.write(
          "GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(readResponse(in)).startsWith("HTTP/1.1 200");
    }
    assertThat(busy.received()).isEqualTo(1);
    assertThat(r.breakerState()).isEqualTo("CLOSED");

    busy.mode(Backend.Mode.ECHO);
    busy.releaseHeld();
    assertThat(first.join().statusCode()).isEqualTo(200);
    await().until(() -> r.inFlight() == 0);
    assertThat(infer().statusCode()).isEqualTo(200);
    assertThat(f.http.get(f.url("/metrics")).body())
        .contains("kairos_gateway_rejections_total{model=\"m\",reason=\"overloaded\"} 1.0");
  }

  @Test
  void shouldRefuseAnInferenceForAFullVersionWhileAnotherVersionHasRoom() {
    Backend busy = f.backend("busy").mode(Backend.Mode.HOLD);
    Backend idle = f.backend("idle");
    f.serve("m", "1", busy, 1);
    f.serve("m", "2", idle, 1);
    f.start(GatewayFixture.options());
    String v1 = f.url("/v2/models/m/versions/1/infer");
    CompletableFuture<HttpResponse<String>> first =
        CompletableFuture.supplyAsync(() -> f.http.post(v1, BODY));
    await().until(() -> busy.heldCount() == 1);
    HttpResponse<String> refused = f.http.post(v1, BODY);
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.body()).contains("overloaded");
    assertThat(infer().statusCode()).isEqualTo(200); // version 2, the newest, has room
    busy.mode(Backend.Mode.ECHO);
    busy.releaseHeld();
    assertThat(first.join().statusCode()).isEqualTo(200);
  }

  /** One HTTP/1.1 response with a Content-Length body, as text. */
  private static String readResponse(java.io.InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("connection closed after: " + head);
      }
      head.append((char) c);
    }
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
    int n = m.find() ? Integer.parseInt(m.group(1)) : 0;
    return head + new String(in.readNBytes(n), StandardCharsets.UTF_8);
  }

  @Test
  void shouldLetAQueuedRequestThroughWhenASlotFrees() {
    Backend slow = f.backend("slow").mode(Backend.Mode.HOLD);
    f.serve("m", "1", slow);
    f.routes
        .find("m")
        .setLimits(
            ModelLimits.defaults()
                .withMaxInFlight(1)
                .withMaxQueued(1)
                .withMaxQueueWait(Duration.ofSeconds(20)));
    f.start(GatewayFixture.options());
    CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(this::infer);
    await().until(() -> slow.heldCount() == 1);
    CompletableFuture<HttpResponse<String>> second = CompletableFuture.supplyAsync(this::infer);
    await().until(() -> f.routes.find("m").gate().queued() == 1);
    assertThat(infer().statusCode()).isEqualTo(503); // queue full
    slow.releaseHeld();
    assertThat(first.join().statusCode()).isEqualTo(200);
    await().until(() -> slow.heldCount() == 1);
    slow.releaseHeld();
    assertThat(second.join().statusCode()).isEqualTo(200);
    // The slot is released once the response is written, which may be just after the client reads
    // it.
    await().until(() -> f.routes.find("m").gate().inFlight() == 0);
  }

  @Test
  void shouldAnswer503WhenAQueuedRequestWaitsTooLong() {
    Backend slow = f.backend("slow").mode(Backend.Mode.HOLD);
    f.serve("m", "1", slow);
    f.routes
        .find("m")
        .setLimits(
            ModelLimits.defaults()
                .withMaxInFlight(1)
                .withMaxQueued(4)
                .withMaxQueueWait(Duration.ofMillis(50)));
    f.start(GatewayFixture.options());
    CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(this::infer);
    await().until(() -> slow.heldCount() == 1);
    HttpResponse<String> waited = infer();
    assertThat(waited.statusCode()).isEqualTo(503);
    assertThat(waited.body()).contains("no slot within 50 ms");
    slow.releaseHeld();
    assertThat(first.join().statusCode()).isEqualTo(200);
  }

  @Test
  void shouldAnswer504WhenTheReplicaTakesLongerThanTheTimeout() {
    Backend slow = f.backend("slow").mode(Backend.Mode.HOLD);
    Replica r = f.serve("m", "1", slow);
    f.routes.find("m").setLimits(ModelLimits.defaults().withTimeout(Duration.ofMillis(300)));
    f.start(GatewayFixture.options());
    HttpResponse<String> modelTimeout = infer();
    assertThat(modelTimeout.statusCode()).isEqualTo(504);
    assertThat(modelTimeout.body()).contains("within 300 ms");
    HttpResponse<String> asked =
        f.http.post(f.url("/v2/models/m/infer"), BODY, "Kairos-Timeout-Ms", "100");
    assertThat(asked.statusCode()).isEqualTo(504);
    assertThat(asked.body()).contains("within 100 ms");
    assertThat(
            f.http
                .post(f.url("/v2/models/m/infer"), BODY, "Kairos-Timeout-Ms", "soon")
                .statusCode())
        .isEqualTo(400);
    assertThat(r.inFlight()).isZero();
  }

  @Test
  void shouldAnswer503WithoutBlamingTheReplicaWhenNoPooledConnectionFreesUpInTime() {
    Backend slow = f.backend("slow").mode(Backend.Mode.HOLD);
    Replica r = f.serve("m", "1", slow);
    f.start(GatewayFixture.options().withMaxConnectionsPerReplica(1));
    CompletableFuture<HttpResponse<String>> first =
        CompletableFuture.supplyAsync(
            () -> f.http.post(f.url("/v2/models/m/infer"), BODY, "Kairos-Timeout-Ms", "20000"));
    await().until(() -> slow.heldCount() == 1);
    HttpResponse<String> waited =
        f.http.post(f.url("/v2/models/m/infer"), BODY, "Kairos-Timeout-Ms", "200");
    assertThat(waited.statusCode()).isEqualTo(503);
    assertThat(waited.body()).contains("no connection to a replica");
    assertThat(waited.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(r.breakerState()).isEqualTo("CLOSED");
    slow.releaseHeld();
    assertThat(first.join().statusCode()).isEqualTo(200);
    assertThat(r.inFlight()).isZero();
  }

  @Test
  void shouldNotOpenTheBreakerOfAnOverloadedReplicaThatMissesDeadlinesButKeepsAnswering()
      throws Exception {
    Backend busy = f.backend("busy").mode(Backend.Mode.HOLD);
    Replica r = f.serve("m", "1", busy);
    f.start(
        GatewayFixture.options()
            .withBreaker(new BreakerOptions(50, 10, 4, Duration.ofSeconds(30), 1)));
    ExecutorService clients = Executors.newFixedThreadPool(6);
    try {
      List<CompletableFuture<HttpResponse<String>>> late = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        late.add(
            CompletableFuture.supplyAsync(
                () -> f.http.post(f.url("/v2/models/m/infer"), BODY, "Kairos-Timeout-Ms", "1000"),
                clients));
      }
      await().until(() -> busy.heldCount() == 6);
      f.time.advance(Duration.ofMillis(1));
      busy.mode(Backend.Mode.ECHO);
      assertThat(infer().statusCode()).isEqualTo(200); // it still answers: overloaded, not sick
      for (CompletableFuture<HttpResponse<String>> c : late) {
        assertThat(c.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(504);
      }
      assertThat(r.breakerState()).isEqualTo("CLOSED");
      assertThat(infer().statusCode()).isEqualTo(200);
    } finally {
      busy.releaseHeld();
      clients.shutdownNow();
    }
  }

  @Test
  void shouldOpenTheBreakerOfAReplicaThatAnswersNothingWhileItsRequestsTimeOut() {
    Backend hung = f.backend("hung").mode(Backend.Mode.HOLD);
    Replica r = f.serve("m", "1", hung);
    f.start(
        GatewayFixture.options()
            .withBreaker(new BreakerOptions(50, 10, 4, Duration.ofSeconds(30), 1)));
    for (int i = 0; i < 4; i++) {
      assertThat(
              f.http
                  .post(f.url("/v2/models/m/infer"), BODY, "Kairos-Timeout-Ms", "100")
                  .statusCode())
          .isEqualTo(504);
    }
    assertThat(r.breakerState()).isEqualTo("OPEN");
    hung.releaseHeld();
  }
}
