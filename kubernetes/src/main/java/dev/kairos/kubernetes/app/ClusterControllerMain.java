package dev.kairos.kubernetes.app;

import dev.kairos.kubernetes.leader.LeaderElection;
import dev.kairos.kubernetes.reconcile.ModelController;
import dev.kairos.kubernetes.reconcile.ModelReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.InetAddress;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The autoscaler image's entry point in cluster mode: competes for the {@code kairos-autoscaler}
 * Lease and, while leader, reconciles Models into runtime Deployments and Services. Settings come
 * from the environment (see {@link ClusterSettings}); the API server from the pod's service
 * account.
 */
public final class ClusterControllerMain {
  private static final Logger log = LoggerFactory.getLogger(ClusterControllerMain.class);

  private ClusterControllerMain() {}

  public static void main(String[] args) throws Exception {
    ClusterSettings settings =
        ClusterSettings.from(System.getenv(), InetAddress.getLocalHost().getHostName());
    KubernetesClient client = new KubernetesClientBuilder().build();
    ModelReconciler reconciler =
        new ModelReconciler(client, settings.controller(), Clock.systemUTC());
    AtomicReference<ModelController> running = new AtomicReference<>();
    LeaderElection election =
        new LeaderElection(
            client,
            settings.leaderElection(),
            () -> {
              ModelController c = new ModelController(client, settings.namespace(), reconciler);
              c.start();
              running.set(c);
            },
            () -> {
              ModelController c = running.getAndSet(null);
              if (c != null) {
                c.close();
              }
            },
            leader -> log.info("leader of the autoscalers is now {}", leader));
    election.start();
    HealthEndpoint health =
        new HealthEndpoint(
            settings.healthPort(),
            () -> true,
            () ->
                "{\"self\":\""
                    + election.identity()
                    + "\",\"leader\":\""
                    + (election.leader() == null ? "" : election.leader())
                    + "\",\"leading\":"
                    + election.isLeader()
                    + "}");
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
                  // hand the lease back so a standby takes over at once
                  election.close();
                  ModelController c = running.getAndSet(null);
                  if (c != null) {
                    c.close();
                  }
                  health.close();
                  client.close();
                  stopped.countDown();
                },
                "kairos-controller-shutdown"));
    stopped.await();
  }
}
