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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
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
  Gateway gateway;
  GatewayDiscovery discovery;
  final HttpClient http = HttpClient.newHttpClient();

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
                            b ->
                                req.response()
                                    .putHeader("content-type", "application/json")
                                    .end("{\"model_name\":\"mlp\",\"served_by\":\"replica-1\"}")))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .join();
    RouteTable routes = new RouteTable();
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
    client
        .discovery()
        .v1()
        .endpointSlices()
        .inNamespace(NS)
        .resource(slice(List.of("127.0.0.1")))
        .create();

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

  private HttpResponse<String> infer() throws Exception {
    return http.send(
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:" + gateway.port() + "/v2/models/mlp/versions/1/infer"))
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,4],"
                        + "\"data\":[1,2,3,4]}]}"))
            .header("content-type", "application/json")
            .build(),
        HttpResponse.BodyHandlers.ofString());
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
