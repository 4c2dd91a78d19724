package dev.kairos.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.gateway.support.Backend;
import dev.kairos.gateway.support.GatewayFixture;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProtocolTranslationTest {
  private final GatewayFixture f = new GatewayFixture();

  @AfterEach
  void close() {
    f.close();
  }

  @Test
  void shouldTranslateKServeV1PredictToOipAndBack() {
    Backend b = f.backend("a");
    f.serve("mlp", "1", b);
    f.start(GatewayFixture.options());
    HttpResponse<String> r =
        f.http.post(f.url("/v1/models/mlp:predict"), "{\"instances\":[[1.5,2],[3,4]]}");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonArray predictions = new JsonObject(r.body()).getJsonArray("predictions");
    assertThat(predictions.encode()).isEqualTo("[[1.5,2],[3,4]]");
    assertThat(b.received()).isEqualTo(1);
    assertThat(f.http.get(f.url("/v1/models/mlp")).body()).contains("\"ready\":true");
  }

  @Test
  void shouldAnswer400ForMalformedKServeV1Bodies() {
    f.serve("mlp", "1", f.backend("a"));
    f.start(GatewayFixture.options());
    HttpResponse<String> ragged =
        f.http.post(f.url("/v1/models/mlp:predict"), "{\"instances\":[[1,2],[3]]}");
    assertThat(ragged.statusCode()).isEqualTo(400);
    assertThat(ragged.body()).contains("input 'x' is not a rectangular array");
    assertThat(f.http.post(f.url("/v1/models/mlp:predict"), "{\"rows\":1}").statusCode())
        .isEqualTo(400);
    assertThat(f.http.post(f.url("/v1/models/mlp:predict"), "not json").statusCode())
        .isEqualTo(400);
    assertThat(f.routes.find("mlp").inFlight()).isZero();
  }

  @Test
  void shouldTranslateDjlPredictionsWithAndWithoutVersion() {
    Backend v1 = f.backend("v1");
    Backend v2 = f.backend("v2");
    f.serve("mlp", "1", v1);
    f.serve("mlp", "2", v2);
    f.start(GatewayFixture.options());
    HttpResponse<String> latest = f.http.post(f.url("/predictions/mlp"), "[[1,2]]");
    assertThat(latest.statusCode()).isEqualTo(200);
    assertThat(latest.body()).isEqualTo("[[1,2]]");
    assertThat(v2.received()).isEqualTo(1);
    HttpResponse<String> pinned = f.http.post(f.url("/predictions/mlp/1"), "{\"x\":[[5,6]]}");
    assertThat(pinned.statusCode()).isEqualTo(200);
    assertThat(pinned.body()).isEqualTo("[[5,6]]");
    assertThat(v1.received()).isEqualTo(1);
    assertThat(f.http.post(f.url("/predictions/mlp"), "{\"z\":[1]}").statusCode()).isEqualTo(400);
  }
}
