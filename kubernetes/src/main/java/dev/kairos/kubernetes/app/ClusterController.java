package dev.kairos.kubernetes.app;

import dev.kairos.kubernetes.leader.LeaderElection;
import dev.kairos.kubernetes.leader.LeaderElectionSettings;
import dev.kairos.kubernetes.reconcile.ControllerConfig;
import dev.kairos.kubernetes.reconcile.ModelController;
import dev.kairos.kubernetes.reconcile.ModelReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One autoscaler instance: it competes for the Lease and runs the Model controller only while it
 * leads, so of all instances exactly one reconciles at a time.
 */
public final class ClusterController implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterController.class);

  private final KubernetesClient client;
  private final String namespace;
  private final ModelReconciler reconciler;
  private final LeaderElection election;
  private final AtomicReference<ModelController> running = new AtomicReference<>();

  public ClusterController(
      KubernetesClient client,
      ControllerConfig config,
      LeaderElectionSettings leaderElection,
      Clock clock) {
    this.client = client;
    this.namespace = config.namespace();
    this.reconciler = new ModelReconciler(client, config, clock);
    this.election =
        new LeaderElection(
            client,
            leaderElection,
            this::startReconciling,
            this::stopReconciling,
            leader -> log.info("leader of the autoscalers is now {}", leader));
  }

  public void start() {
    election.start();
  }

  public boolean isLeader() {
    return election.isLeader();
  }

  /** Whether this instance runs the Model controller now. */
  public boolean reconciling() {
    return running.get() != null;
  }

  public LeaderElection election() {
    return election;
  }

  private void startReconciling() {
    ModelController c = new ModelController(client, namespace, reconciler);
    c.start();
    ModelController previous = running.getAndSet(c);
    if (previous != null) {
      previous.close();
    }
  }

  private void stopReconciling() {
    ModelController c = running.getAndSet(null);
    if (c != null) {
      c.close();
    }
  }

  /** Stops reconciling and hands the lease back. */
  @Override
  public void close() {
    election.close();
    stopReconciling();
  }
}
