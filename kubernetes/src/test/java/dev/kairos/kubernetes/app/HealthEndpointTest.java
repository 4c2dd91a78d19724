package dev.kairos.kubernetes.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.sdk.replica.ReplicaToken;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HealthEndpointTest {
  static final ReplicaToken TOKEN = ReplicaToken.random();
  HealthEndpoint endpoint;
  final List<String> demanded = new CopyOnWriteArrayList<>();
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    endpoint =
        new HealthEndpoint(
            0,
            () -> true,
            () -> "{\"leader\":\"a\"}",
            (model, version) -> {
              demanded.add(model + "/" + version);
              return model.equals("mlp");
            },
            TOKEN);
  }

  @AfterEach
  void stop() {
    endpoint.close();
  }

  @Test
  void shouldAnswerTheProbes() throws Exception {
    assertThat(send("GET", "/healthz").statusCode()).isEqualTo(200);
    assertThat(send("GET", "/readyz").statusCode()).isEqualTo(200);
    assertThat(send("GET", "/leader").body()).isEqualTo("{\"leader\":\"a\"}");
  }

  @Test
  void shouldPassDemandToTheControllerAndSayWhetherItActed() throws Exception {
    assertThat(send("POST", "/demand?model=mlp&version=1").statusCode()).isEqualTo(202);
    assertThat(send("POST", "/demand?model=cnn").statusCode()).isEqualTo(409);
    assertThat(send("POST", "/demand").statusCode()).isEqualTo(400);
    assertThat(send("GET", "/demand?model=mlp").statusCode()).isEqualTo(405);

    assertThat(demanded).containsExactly("mlp/1", "cnn/null");
  }

  @Test
  void shouldRefuseDemandFromCallersWithoutTheClusterToken() throws Exception {
    HttpResponse<String> none = send("POST", "/demand?model=mlp", null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.body()).contains(ReplicaToken.HEADER);
    assertThat(send("POST", "/demand?model=mlp", "y".repeat(64)).statusCode()).isEqualTo(401);
    assertThat(demanded).isEmpty();
    // the kubelet's probes need no token
    assertThat(send("GET", "/healthz", null).statusCode()).isEqualTo(200);
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    return send(method, path, TOKEN.secret());
  }

  private HttpResponse<String> send(String method, String path, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      b.header(ReplicaToken.HEADER, token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
