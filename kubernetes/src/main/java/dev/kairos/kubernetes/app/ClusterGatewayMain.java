package dev.kairos.kubernetes.app;

import dev.kairos.gateway.Gateway;
import dev.kairos.gateway.GatewayOptions;
import dev.kairos.gateway.activator.Activator;
import dev.kairos.gateway.activator.ActivatorOptions;
import dev.kairos.gateway.auth.ApiKeyStore;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.kubernetes.autoscale.ClusterDemand;
import dev.kairos.kubernetes.discovery.GatewayDiscovery;
import dev.kairos.sdk.replica.ReplicaToken;
import dev.kairos.sdk.time.Clock;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
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
    ClusterDemand demand =
        new ClusterDemand(
            client, settings.namespace(), AUTOSCALER_SERVICE, settings.replicaToken());
    Activator activator = new Activator(vertx, routes, ActivatorOptions.defaults(), demand);
    Gateway gateway =
        new Gateway(vertx, options(settings), routes, apiKeys(settings), Clock.system(), activator);
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

  /** The public port on every interface, showing replicas the cluster's replica token. */
  static GatewayOptions options(ClusterSettings settings) {
    if (settings.replicaToken() == null) {
      log.warn(
          "no replica token ({} or {}): replicas that require one will refuse this gateway",
          ReplicaToken.FILE_ENV,
          ReplicaToken.ENV);
    }
    return GatewayOptions.defaults()
        .withHost("0.0.0.0")
        .withPort(settings.gatewayPort())
        .withReplicaToken(settings.replicaToken());
  }

  /**
   * The API keys from the mounted Secret, watched: the gateway picks the file up when the kubelet
   * creates, updates or removes it. While it is absent inference is refused (401), unless the
   * operator set {@code KAIROS_ALLOW_UNAUTHENTICATED=true}.
   */
  static ApiKeyStore apiKeys(ClusterSettings settings) {
    if (settings.allowUnauthenticated()) {
      log.warn(
          "KAIROS_ALLOW_UNAUTHENTICATED=true: while {} is absent, anyone who reaches this gateway"
              + " may call every model without a key",
          settings.apiKeysFile());
    }
    ApiKeyStore keys =
        ApiKeyStore.watching(settings.apiKeysFile(), List.of(), settings.allowUnauthenticated());
    log.info(
        "API keys from {}: {} keys, inference {}",
        settings.apiKeysFile(),
        keys.current().all().size(),
        keys.enforced() ? "needs a key" : "open");
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
