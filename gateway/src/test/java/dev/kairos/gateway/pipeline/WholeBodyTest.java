package dev.kairos.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.gateway.support.Backend;
import dev.kairos.gateway.support.GatewayFixture;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bodies read whole ({@link WholeBody}): a request body under the streaming limit, and an answer
 * under the relay's, arrive in one chunk when small (kept as is) and in many when not (gathered);
 * either way the replica and the client get every byte, in order.
 */
class WholeBodyTest {
  private final GatewayFixture f = new GatewayFixture();
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @AfterEach
  void close() {
    f.close();
  }

  /** Text the echo backend sends back as it came: not JSON, so it is not rewritten. */
  private static String text(int length) {
    StringBuilder b = new StringBuilder(length);
    for (int i = 0; b.length() < length; i++) {
      b.append(i).append(' ');
    }
    return b.substring(0, length);
  }

  private HttpResponse<String> post(String body, boolean declareLength) throws Exception {
    byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
    HttpRequest.BodyPublisher publisher =
        declareLength
            ? HttpRequest.BodyPublishers.ofByteArray(bytes)
            // No length: sent chunked, so the gateway learns the size only at the end.
            : HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes));
    return client.send(
        HttpRequest.newBuilder(URI.create(f.url("/v2/models/m/infer")))
            .timeout(Duration.ofSeconds(20))
            .POST(publisher)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldForwardAndRelayBodiesWholeInOneChunkOrMany() throws Exception {
    Backend b = f.backend("a");
    f.serve("m", "1", b);
    f.start(GatewayFixture.options());
    // 200 KB: under the 256 KiB the gateway reads whole before sending, arriving in many reads;
    // the echo comes back in many too, under the 1 MiB relayed in one write.
    for (int length : new int[] {1, 1000, 200_000}) {
      for (boolean declared : new boolean[] {true, false}) {
        String body = text(length);
        HttpResponse<String> r = post(body, declared);
        assertThat(r.statusCode())
            .as("%d bytes, length declared %s", length, declared)
            .isEqualTo(200);
        assertThat(b.lastBody().toString(StandardCharsets.US_ASCII)).isEqualTo(body);
        assertThat(r.body()).isEqualTo(body);
      }
    }
  }

  @Test
  void shouldRefuseABodyThatPassesTheLimitInPieces() throws IOException, InterruptedException {
    Backend b = f.backend("a");
    f.serve("m", "1", b);
    f.start(GatewayFixture.options().withMaxBodyBytes(100_000));
    try {
      HttpResponse<String> r = post(text(150_000), false);
      assertThat(r.statusCode()).isEqualTo(413);
      assertThat(r.body()).contains("exceeds 100000 bytes");
    } catch (IOException e) {
      // The gateway may close the connection before the client has sent everything: it is
      // refused either way, and never reaches the replica.
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    assertThat(b.received()).isZero();
    HttpResponse<String> ok;
    try {
      ok = post(text(50_000), true);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo(text(50_000));
  }
}
