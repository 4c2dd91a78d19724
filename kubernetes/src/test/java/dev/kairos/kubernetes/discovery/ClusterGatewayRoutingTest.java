package dev.kairos.kubernetes.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kairos.gateway.Gateway;
import dev.kairos.gateway.GatewayOptions;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.kubernetes.Models;
import dev.kairos.kubernetes.crd.Model;
import dev.kairos.kubernetes.crd.ModelLabels;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real gateway whose replicas come from EndpointSlices: a request reaches the replica the cluster
 * lists, and stops reaching it once the cluster stops listing it.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class ClusterGatewayRoutingTest {
  static final String NS = "kairos";

  KubernetesClient client;
  Vertx vertx;
  HttpServer replica;
  RouteTable routes;
  Gateway gateway;
  GatewayDiscovery discovery;
  final HttpClient http = HttpClient.newHttpClient();

  /** While set, the replica keeps the requests it gets in {@link #held}, unanswered. */
  volatile boolean holding;

  final List<HttpServerRequest> held = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    replica =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .onSuccess(
                            b -> {
                              if (holding) {
                                held.add(req);
                              } else {
                                answer(req);
                              }
                            }))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .join();
    routes = new RouteTable();
    client.resources(Model.class).inNamespace(NS).resource(Models.mlp(NS)).create();
    discovery = new GatewayDiscovery(client, NS, routes);
    discovery.start();
    gateway = new Gateway(vertx, GatewayOptions.defaults().withPort(0).withEventLoops(1), routes);
    gateway.listen().toCompletionStage().toCompletableFuture().join();
  }

  @AfterEach
  void stop() {
    discovery.close();
    gateway.close().toCompletionStage().toCompletableFuture().join();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  @Test
  void shouldForwardToTheReplicaTheEndpointSliceLists() throws Exception {
    createSlice(List.of("127.0.0.1"));

    await()
        .untilAsserted(
            () -> {
              HttpResponse<String> r = infer();
              assertThat(r.statusCode()).isEqualTo(200);
              assertThat(r.body()).contains("replica-1");
            });

    client.discovery().v1().endpointSlices().inNamespace(NS).resource(slice(List.of())).update();

    await().untilAsserted(() -> assertThat(infer().statusCode()).isNotEqualTo(200));
  }

  @Test
  void shouldRefuseWhatAReplicaWouldRefuseFromTheModelsBatching() throws Exception {
    // one running and one queued: the pod admits maxQueueSize 1 + maxBatchSize 1 x 1 worker
    client
        .resources(Model.class)
        .inNamespace(NS)
        .withName("mlp")
        .edit(
            m -> {
              m.getSpec().setBatching(Models.map("maxBatchSize", 1, "maxQueueSize", 1));
              return m;
            });
    await().until(() -> discovery.replicaCapacity("mlp") == 2);
    createSlice(List.of("127.0.0.1"));
    await().until(() -> !routes.find("mlp").existingVersion("1").all().isEmpty());
    assertThat(routes.find("mlp").existingVersion("1").all().get(0).capacity()).isEqualTo(2);

    holding = true;
    CompletableFuture<HttpResponse<String>> first = inferAsync();
    CompletableFuture<HttpResponse<String>> second = inferAsync();
    await().until(() -> held.size() == 2);
    HttpResponse<String> third = infer();
    assertThat(third.statusCode()).isEqualTo(503);
    assertThat(third.body()).contains("overloaded");
    assertThat(third.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(held).as("the replica never saw the refused request").hasSize(2);

    vertx.runOnContext(v -> held.forEach(ClusterGatewayRoutingTest::answer));
    assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(second.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }

  private void createSlice(List<String> ips) {
    client.discovery().v1().endpointSlices().inNamespace(NS).resource(slice(ips)).create();
  }

  private static void answer(HttpServerRequest req) {
    req.response()
        .putHeader("content-type", "application/json")
        .end("{\"model_name\":\"mlp\",\"served_by\":\"replica-1\"}");
  }

  private CompletableFuture<HttpResponse<String>> inferAsync() {
    return http.sendAsync(request(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> infer() throws Exception {
    return http.send(request(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest request() {
    return HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + gateway.port() + "/v2/models/mlp/versions/1/infer"))
        .POST(
            HttpRequest.BodyPublishers.ofString(
                "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,4],"
                    + "\"data\":[1,2,3,4]}]}"))
        .header("content-type", "application/json")
        .timeout(Duration.ofSeconds(10))
        .build();
  }

  private EndpointSlice slice(List<String> ips) {
    var b =
        new EndpointSliceBuilder()
            .withNewMetadata()
            .withName("mlp-v1-abcde")
            .withNamespace(NS)
            .withLabels(ModelLabels.labels("mlp", "1"))
            .endMetadata()
            .withAddressType("IPv4")
            .addNewPort()
            .withName("http")
            .withPort(replica.actualPort())
            .endPort();
    for (String ip : ips) {
      b.addNewEndpoint()
          .withAddresses(ip)
          .withNewConditions()
          .withReady(true)
          .endConditions()
          .endEndpoint();
    }
    return b.build();
  }
}
