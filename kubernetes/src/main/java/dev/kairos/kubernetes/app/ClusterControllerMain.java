package dev.kairos.kubernetes.app;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.InetAddress;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The autoscaler image's entry point in cluster mode: a {@link ClusterController} (Lease-elected
 * Model reconciler) and its probe endpoints. Settings come from the environment (see {@link
 * ClusterSettings}); the API server from the pod's service account.
 */
public final class ClusterControllerMain {
  private static final Logger log = LoggerFactory.getLogger(ClusterControllerMain.class);

  private ClusterControllerMain() {}

  public static void main(String[] args) throws Exception {
    ClusterSettings settings =
        ClusterSettings.from(System.getenv(), InetAddress.getLocalHost().getHostName());
    KubernetesClient client = new KubernetesClientBuilder().build();
    ClusterController controller =
        new ClusterController(
            client, settings.controller(), settings.leaderElection(), Clock.systemUTC());
    controller.start();
    HealthEndpoint health =
        new HealthEndpoint(
            settings.healthPort(),
            () -> true,
            () ->
                "{\"self\":\""
                    + controller.election().identity()
                    + "\",\"leader\":\""
                    + (controller.election().leader() == null ? "" : controller.election().leader())
                    + "\",\"leading\":"
                    + controller.isLeader()
                    + "}",
            controller::demand,
            settings.replicaToken());
    log.info(
        "{} started in namespace {}, probes on port {}",
        settings.identity(),
        settings.namespace(),
        health.port());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  // hands the lease back so a standby takes over at once
                  controller.close();
                  health.close();
                  client.close();
                  stopped.countDown();
                },
                "kairos-controller-shutdown"));
    stopped.await();
  }
}
