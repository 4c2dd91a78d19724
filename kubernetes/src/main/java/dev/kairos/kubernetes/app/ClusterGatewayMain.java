package dev.kairos.kubernetes.app;

import dev.kairos.gateway.Gateway;
import dev.kairos.gateway.GatewayOptions;
import dev.kairos.gateway.activator.Activator;
import dev.kairos.gateway.activator.ActivatorOptions;
import dev.kairos.gateway.auth.ApiKeyStore;
import dev.kairos.gateway.auth.ApiKeys;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.kubernetes.autoscale.ClusterDemand;
import dev.kairos.kubernetes.discovery.GatewayDiscovery;
import dev.kairos.sdk.time.Clock;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway image's entry point in cluster mode: the same gateway as {@code kairos serve}, its
 * routes and replicas discovered from Models and EndpointSlices instead of local processes.
 */
public final class ClusterGatewayMain {
  private static final Logger log = LoggerFactory.getLogger(ClusterGatewayMain.class);

  /** The Service of the autoscaler pods, told about requests held for models at zero. */
  static final String AUTOSCALER_SERVICE = "kairos-autoscaler";

  private ClusterGatewayMain() {}

  public static void main(String[] args) throws IOException {
    ClusterSettings settings = ClusterSettings.from(System.getenv(), hostName());
    KubernetesClient client = new KubernetesClientBuilder().build();
    RouteTable routes = new RouteTable();
    GatewayDiscovery discovery = new GatewayDiscovery(client, settings.namespace(), routes);
    discovery.start();
    Vertx vertx = Vertx.vertx();
    ClusterDemand demand = new ClusterDemand(client, settings.namespace(), AUTOSCALER_SERVICE);
    Activator activator = new Activator(vertx, routes, ActivatorOptions.defaults(), demand);
    Gateway gateway =
        new Gateway(
            vertx,
            GatewayOptions.defaults().withHost("0.0.0.0").withPort(settings.gatewayPort()),
            routes,
            apiKeys(settings.apiKeysFile()),
            Clock.system(),
            activator);
    int port = gateway.listen().toCompletionStage().toCompletableFuture().join();
    int grpc =
        gateway.listenGrpc(settings.grpcPort()).toCompletionStage().toCompletableFuture().join();
    log.info(
        "gateway serving on port {} (OIP gRPC on {}), routes from namespace {} ({} models)",
        port,
        grpc,
        settings.namespace(),
        routes.all().size());
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  discovery.close();
                  demand.close();
                  gateway.close().toCompletionStage().toCompletableFuture().join();
                  vertx.close();
                  client.close();
                },
                "kairos-gateway-shutdown"));
  }

  /**
   * The API keys from the mounted Secret (reloaded by the gateway when the kubelet updates it), or
   * none when the Secret is absent: then the data plane is open, as in local mode.
   */
  private static ApiKeyStore apiKeys(Path file) throws IOException {
    if (file == null || !Files.exists(file)) {
      log.warn(
          "no API keys file{}: requests are not authenticated", file == null ? "" : " " + file);
      return ApiKeyStore.fixed(ApiKeys.none());
    }
    ApiKeyStore keys = ApiKeyStore.fromFile(file);
    log.info("{} API keys from {}", keys.current().all().size(), file);
    return keys;
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "kairos-gateway";
    }
  }
}
