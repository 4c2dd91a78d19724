package dev.kairos.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kairos.gateway.auth.ApiKeyStore;
import dev.kairos.gateway.auth.ApiKeys;
import dev.kairos.gateway.support.Await;
import dev.kairos.gateway.support.GatewayFixture;
import dev.kairos.sdk.replica.ReplicaToken;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SelfSignedCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewaySecurityTest {
  private static final String BODY =
      "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,2],\"data\":[1,2]}]}";
  private final GatewayFixture f = new GatewayFixture();
  @TempDir Path dir;

  @AfterEach
  void close() {
    f.close();
  }

  private Path keysFile(String... lines) throws IOException {
    Path p = dir.resolve("keys.txt");
    Files.write(p, java.util.List.of(lines));
    return p;
  }

  private static String line(String name, String secret, String rest) {
    return name + " " + ApiKeys.sha256Hex(secret) + " " + rest;
  }

  @Test
  void shouldAnswer401WithoutAKeyAnd403OutsideTheKeysScope() throws IOException {
    f.serve("mlp", "1", f.backend("a"));
    f.serve("cnn", "1", f.backend("b"));
    f.start(
        GatewayFixture.options(),
        ApiKeyStore.fromFile(keysFile(line("app", "s3cret", "infer:ml*"))));
    assertThat(f.http.post(f.url("/v2/models/mlp/infer"), BODY).statusCode()).isEqualTo(401);
    assertThat(
            f.http
                .post(f.url("/v2/models/mlp/infer"), BODY, "Authorization", "Bearer wrong")
                .statusCode())
        .isEqualTo(401);
    assertThat(
            f.http
                .post(f.url("/v2/models/mlp/infer"), BODY, "Authorization", "Bearer s3cret")
                .statusCode())
        .isEqualTo(200);
    HttpResponse<String> other =
        f.http.post(f.url("/v2/models/cnn/infer"), BODY, "X-API-Key", "s3cret");
    assertThat(other.statusCode()).isEqualTo(403);
    assertThat(other.body()).contains("may not call model 'cnn'");
    assertThat(f.http.get(f.url("/v2/health/live")).statusCode()).isEqualTo(200);
  }

  @Test
  void shouldPickUpReloadedKeysWithoutRestart() throws IOException {
    f.serve("mlp", "1", f.backend("a"));
    Path file = keysFile(line("old", "first", "infer:*"));
    ApiKeyStore store = ApiKeyStore.fromFile(file);
    f.start(GatewayFixture.options(), store);
    assertThat(f.http.post(f.url("/v2/models/mlp/infer"), BODY, "X-API-Key", "first").statusCode())
        .isEqualTo(200);
    Files.write(file, java.util.List.of(line("new", "second", "infer:*")));
    store.reload();
    assertThat(f.http.post(f.url("/v2/models/mlp/infer"), BODY, "X-API-Key", "first").statusCode())
        .isEqualTo(401);
    assertThat(f.http.post(f.url("/v2/models/mlp/infer"), BODY, "X-API-Key", "second").statusCode())
        .isEqualTo(200);
    Files.write(file, java.util.List.of("broken line"));
    org.assertj.core.api.Assertions.assertThatThrownBy(store::reload)
        .hasMessageContaining("keys.txt:1");
    assertThat(f.http.post(f.url("/v2/models/mlp/infer"), BODY, "X-API-Key", "second").statusCode())
        .isEqualTo(200);
  }

  @Test
  void shouldShowTheReplicaTokenOnEveryRequestItForwardsOrMakesToAReplica() {
    ReplicaToken token = ReplicaToken.random();
    f.serve("mlp", "1", f.backend("a").requireToken(token.secret()));
    f.start(GatewayFixture.options().withReplicaToken(token));
    assertThat(f.http.post(f.url("/v2/models/mlp/infer"), BODY).statusCode()).isEqualTo(200);
    assertThat(f.http.get(f.url("/v2/models/mlp")).statusCode()).isEqualTo(200);
    // KServe v1 fetches the model's inputs from the replica first, then forwards
    HttpResponse<String> v1 =
        f.http.post(f.url("/v1/models/mlp:predict"), "{\"instances\":[[1.5,2],[3,4]]}");
    assertThat(v1.statusCode()).as(v1.body()).isEqualTo(200);
  }

  @Test
  void shouldBeRefusedByAReplicaThatWantsATokenWhenItHasNone() {
    f.serve("mlp", "1", f.backend("a").requireToken(ReplicaToken.random().secret()));
    f.start(GatewayFixture.options());
    assertThat(f.http.post(f.url("/v2/models/mlp/infer"), BODY).statusCode()).isEqualTo(401);
  }

  @Test
  void shouldRateLimitPerKeyWith429AndRetryAfter() throws IOException {
    f.serve("mlp", "1", f.backend("a"));
    f.start(
        GatewayFixture.options(),
        ApiKeyStore.fromFile(
            keysFile(
                line("slow", "k1", "infer:* rate=1/s burst=2"), line("free", "k2", "infer:*"))));
    assertThat(f.http.post(f.url("/v2/models/mlp/infer"), BODY, "X-API-Key", "k1").statusCode())
        .isEqualTo(200);
    assertThat(f.http.post(f.url("/v2/models/mlp/infer"), BODY, "X-API-Key", "k1").statusCode())
        .isEqualTo(200);
    HttpResponse<String> limited =
        f.http.post(f.url("/v2/models/mlp/infer"), BODY, "X-API-Key", "k1");
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
    for (int i = 0; i < 5; i++) {
      assertThat(f.http.post(f.url("/v2/models/mlp/infer"), BODY, "X-API-Key", "k2").statusCode())
          .isEqualTo(200);
    }
    f.time.advance(Duration.ofSeconds(1));
    assertThat(f.http.post(f.url("/v2/models/mlp/infer"), BODY, "X-API-Key", "k1").statusCode())
        .isEqualTo(200);
  }

  @Test
  void shouldAnswer413ForBodiesOverTheLimit() {
    f.serve("mlp", "1", f.backend("a"));
    f.start(GatewayFixture.options().withMaxBodyBytes(1024));
    HttpResponse<String> r = f.http.post(f.url("/v2/models/mlp/infer"), "x".repeat(2000));
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.body()).contains("exceeds 1024 bytes");
  }

  @Test
  void shouldRefuseOversizedHeaders() {
    f.serve("mlp", "1", f.backend("a"));
    f.start(GatewayFixture.options().withMaxHeaderBytes(2048));
    HttpResponse<String> r =
        f.http.post(f.url("/v2/models/mlp/infer"), BODY, "X-Big", "y".repeat(4000));
    assertThat(r.statusCode()).isEqualTo(431);
  }

  @Test
  void shouldCloseConnectionsOverTheLimit() throws Exception {
    f.serve("mlp", "1", f.backend("a"));
    f.start(GatewayFixture.options().withMaxConnections(1));
    byte[] get =
        "GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    try (Socket first = new Socket("127.0.0.1", f.gateway().port())) {
      first.setSoTimeout(5000);
      first.getOutputStream().write(get);
      assertThat(head(first.getInputStream())).startsWith("HTTP/1.1 200");
      try (Socket second = new Socket("127.0.0.1", f.gateway().port())) {
        second.setSoTimeout(5000);
        second.getOutputStream().write(get);
        String answer =
            new String(second.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(answer).startsWith("HTTP/1.1 503").contains("too many connections");
      }
      first.getOutputStream().write(get);
      assertThat(head(first.getInputStream())).startsWith("HTTP/1.1 200");
    }
    await().until(() -> f.gateway().connections() == 0);
  }

  private static String head(InputStream in) throws IOException {
    byte[] buf = new byte[256];
    int n = in.read(buf);
    return new String(buf, 0, Math.max(0, n), StandardCharsets.US_ASCII);
  }

  @Test
  void shouldServeTlsWithAPemKeyAndCertificate() {
    f.serve("mlp", "1", f.backend("a"));
    SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
    f.start(
        GatewayFixture.options()
            .withTls(
                new TlsOptions(Path.of(cert.certificatePath()), Path.of(cert.privateKeyPath()))));
    HttpClient client =
        f.vertx.createHttpClient(
            new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false));
    Buffer body =
        Await.result(
            client
                .request(
                    new RequestOptions()
                        .setMethod(HttpMethod.POST)
                        .setHost("127.0.0.1")
                        .setPort(f.gateway().port())
                        .setURI("/v2/models/mlp/infer"))
                .compose(req -> req.send(BODY))
                .compose(resp -> resp.body()));
    assertThat(body.toString()).contains("\"outputs\"");
    // Plain HTTP on the TLS port gets no answer.
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.http.get(f.url("/v2/health/live")))
        .isInstanceOf(RuntimeException.class);
  }
}
