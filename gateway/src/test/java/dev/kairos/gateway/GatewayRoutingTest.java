package dev.kairos.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kairos.gateway.auth.ApiKeyStore;
import dev.kairos.gateway.auth.ApiKeys;
import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.support.Await;
import dev.kairos.gateway.support.Backend;
import dev.kairos.gateway.support.GatewayFixture;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GatewayRoutingTest {
  private static final String BODY =
      "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,2],\"data\":[1,2]}]}";
  private final GatewayFixture f = new GatewayFixture();

  @AfterEach
  void close() {
    f.close();
  }

  @Test
  void shouldForwardOipBodiesAndAnswersUnchanged() {
    Backend a = f.backend("a");
    f.serve("m", "1", a);
    f.start(GatewayFixture.options());
    HttpResponse<String> r =
        f.http.post(f.url("/v2/models/m/infer"), BODY, "Content-Type", "application/json");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"outputs\"").contains("\"data\":[1,2]");
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(a.received()).isEqualTo(1);
    assertThat(f.routes.find("m").inFlight()).isZero();
  }

  @Test
  void shouldKeepOneConnectionToAReplicaAliveUnlessTheReplicaClosesIt() {
    Backend a = f.backend("a");
    f.serve("m", "1", a);
    f.start(GatewayFixture.options());
    for (int i = 0; i < 5; i++) {
      assertThat(f.http.post(f.url("/v2/models/m/infer"), BODY).statusCode()).isEqualTo(200);
    }
    assertThat(a.connections()).as("sequential requests share one pooled connection").isEqualTo(1);
    a.mode(Backend.Mode.ECHO_AND_CLOSE);
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r = f.http.post(f.url("/v2/models/m/infer"), BODY);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("\"outputs\"");
    }
    // The pooled one answered the first with Connection: close; each later one needed its own.
    assertThat(a.connections()).isEqualTo(3);
    assertThat(a.received()).isEqualTo(8);
  }

  @Test
  void shouldSplitCanaryTrafficAndHonourAnExplicitVersion() {
    Backend v1 = f.backend("v1");
    Backend v2 = f.backend("v2");
    f.serve("m", "1", v1);
    f.serve("m", "2", v2);
    f.routes.find("m").setTraffic(Map.of("1", 80, "2", 20));
    f.start(GatewayFixture.options());
    for (int i = 0; i < 300; i++) {
      assertThat(f.http.post(f.url("/v2/models/m/infer"), BODY).statusCode()).isEqualTo(200);
    }
    // Binomial(300, 0.2): mean 60, sd ≈ 6.9; the bounds are 4 sd (fails about once in 15,000).
    assertThat(v2.received()).isBetween(32, 88);
    assertThat(v1.received() + v2.received()).isEqualTo(300);
    int before = v2.received();
    for (int i = 0; i < 20; i++) {
      assertThat(f.http.post(f.url("/v2/models/m/versions/2/infer"), BODY).statusCode())
          .isEqualTo(200);
    }
    assertThat(v2.received()).isEqualTo(before + 20);
    assertThat(f.http.post(f.url("/v2/models/m/versions/9/infer"), BODY).statusCode())
        .isEqualTo(404);
  }

  @Test
  void shouldNotDrawTheSameCanarySequenceInTwoGateways() {
    Backend v1 = f.backend("v1");
    Backend v2 = f.backend("v2");
    f.serve("m", "1", v1);
    f.serve("m", "2", v2);
    f.routes.find("m").setTraffic(Map.of("1", 50, "2", 50));
    f.start(GatewayFixture.options());
    // a second gateway pod in front of the same replicas
    Gateway other =
        new Gateway(
            f.vertx,
            GatewayFixture.options().withPort(0).withEventLoops(1),
            f.routes,
            ApiKeyStore.fixed(ApiKeys.none()),
            f.time);
    Await.result(other.listen());
    try {
      String first = versionsAnswering(f.url("/v2/models/m/infer"), v2);
      String second =
          versionsAnswering("http://127.0.0.1:" + other.port() + "/v2/models/m/infer", v2);
      // one fixed seed gave every gateway the same split, request by request
      assertThat(first).isNotEqualTo(second);
    } finally {
      Await.result(other.close());
    }
  }

  /** The version each of 48 requests in a row went to, one after the other. */
  private String versionsAnswering(String url, Backend v2) {
    StringBuilder seq = new StringBuilder();
    for (int i = 0; i < 48; i++) {
      int before = v2.received();
      assertThat(f.http.post(url, BODY).statusCode()).isEqualTo(200);
      seq.append(v2.received() > before ? '2' : '1');
    }
    return seq.toString();
  }

  @Test
  void shouldFinishInFlightRequestsOfADrainedReplicaAndRouteNewOnesElsewhere() {
    Backend a = f.backend("a").mode(Backend.Mode.HOLD);
    Replica ra = f.serve("m", "1", a);
    f.start(GatewayFixture.options());
    CompletableFuture<HttpResponse<String>> held =
        CompletableFuture.supplyAsync(() -> f.http.post(f.url("/v2/models/m/infer"), BODY));
    await().until(() -> a.heldCount() == 1);
    assertThat(ra.inFlight()).isEqualTo(1);
    Backend b = f.backend("b");
    f.serve("m", "1", b);
    ra.drain();
    f.routes.find("m").version("1").remove(ra.id());
    HttpResponse<String> fresh = f.http.post(f.url("/v2/models/m/infer"), BODY);
    assertThat(fresh.headers().firstValue("X-Replica")).isEmpty();
    assertThat(fresh.statusCode()).isEqualTo(200);
    assertThat(b.received()).isEqualTo(1);
    a.releaseHeld();
    assertThat(held.join().statusCode()).isEqualTo(200);
    assertThat(ra.inFlight()).isZero();
  }

  @Test
  void shouldAnswer503WithRetryAfterWhenAModelHasNoReplica() {
    f.routes.model("cold").markReady();
    f.start(GatewayFixture.options());
    HttpResponse<String> r = f.http.post(f.url("/v2/models/cold/infer"), BODY);
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(f.http.post(f.url("/v2/models/nope/infer"), BODY).statusCode()).isEqualTo(404);
    assertThat(f.http.post(f.url("/v2/models/..%2Fx/infer"), BODY).statusCode()).isEqualTo(400);
  }

  @Test
  void shouldNotServeTheAdminApiOnThePublicPort() {
    f.serve("m", "1", f.backend("a"));
    f.start(GatewayFixture.options());
    assertThat(f.http.get(f.url("/admin/models")).statusCode()).isEqualTo(404);
    assertThat(f.http.post(f.url("/v2/repository/index"), "{}").statusCode()).isEqualTo(404);
    assertThat(f.http.post(f.url("/v2/repository/models/m/unload"), "").statusCode())
        .isEqualTo(404);
  }

  @Test
  void shouldExposePrometheusMetrics() {
    f.serve("m", "1", f.backend("a"));
    f.start(GatewayFixture.options());
    f.http.post(f.url("/v2/models/m/infer"), BODY);
    f.http.post(f.url("/v2/models/m/versions/5/infer"), BODY);
    String text = f.http.get(f.url("/metrics")).body();
    assertThat(text)
        .contains("kairos_gateway_requests_total{code=\"200\",model=\"m\",version=\"1\"} 1.0")
        .contains("kairos_gateway_requests_total{code=\"404\",model=\"m\",version=\"\"} 1.0")
        .contains("kairos_gateway_request_duration_seconds_bucket")
        .contains("kairos_gateway_replica_in_flight{model=\"m\",replica=\"a\",version=\"1\"} 0.0")
        .contains("kairos_gateway_breaker_state{model=\"m\",replica=\"a\",version=\"1\"} 0.0")
        .contains("kairos_gateway_model_in_flight{model=\"m\"} 0.0");
    // the answered request was in flight for a while: what the autoscaler's rate is taken of
    String seconds = "kairos_gateway_in_flight_seconds_total{model=\"m\",version=\"1\"} ";
    assertThat(text).contains(seconds);
    int at = text.indexOf(seconds) + seconds.length();
    assertThat(Double.parseDouble(text.substring(at, text.indexOf('\n', at)).trim())).isPositive();
  }
}
