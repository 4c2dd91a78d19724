package dev.kairos.kubernetes.app;

import static org.assertj.core.api.Assertions.assertThat;

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
            });
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

  private HttpResponse<String> send(String method, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
