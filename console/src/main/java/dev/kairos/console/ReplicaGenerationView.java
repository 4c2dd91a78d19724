package dev.kairos.console;

import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.route.ReplicaSet;
import dev.kairos.gateway.route.RouteTable;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A generative model's status read from its replicas' {@code /metrics} (open to scrapers, no
 * replica token), at the moment the console asks. Blocking: call it off the event loop.
 */
public final class ReplicaGenerationView implements GenerationView {
  private static final Logger log = LoggerFactory.getLogger(ReplicaGenerationView.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  private final RouteTable routes;
  private final HttpClient http;

  public ReplicaGenerationView(RouteTable routes) {
    this.routes = routes;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .build();
  }

  @Override
  public Optional<GenerationStatus> generation(String model) {
    ModelRoute route = routes.find(model);
    if (route == null || !route.generative()) {
      return Optional.empty();
    }
    GenerationMeters meters = new GenerationMeters();
    for (ReplicaSet set : route.versions().values()) {
      for (Replica r : set.all()) {
        try {
          HttpResponse<String> answer =
              http.send(
                  HttpRequest.newBuilder(
                          URI.create("http://" + r.host() + ":" + r.port() + "/metrics"))
                      .timeout(TIMEOUT)
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          if (answer.statusCode() == 200) {
            meters.add(answer.body());
          }
        } catch (java.io.IOException e) {
          log.debug("model={} replica={} metrics not read: {}", model, r.id(), e.toString());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    return Optional.of(meters.status());
  }
}
