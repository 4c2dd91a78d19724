package dev.kairos.kubernetes.app;

import dev.kairos.autoscaler.Autoscaler;
import dev.kairos.kubernetes.autoscale.AutoscaledModels;
import dev.kairos.kubernetes.autoscale.GatewayConcurrency;
import dev.kairos.kubernetes.leader.LeaderElection;
import dev.kairos.kubernetes.leader.LeaderElectionSettings;
import dev.kairos.kubernetes.reconcile.ControllerConfig;
import dev.kairos.kubernetes.reconcile.ModelController;
import dev.kairos.kubernetes.reconcile.ModelReconciler;
import dev.kairos.kubernetes.scaler.KubernetesScaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One autoscaler instance: it competes for the Lease and, only while it leads, reconciles Models
 * and autoscales their versions (concurrency scraped from the gateway pods, replicas set through
 * each Deployment's scale subresource). Of all instances exactly one acts at a time.
 */
public final class ClusterController implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterController.class);

  /** How often the leader scrapes the gateways and decides. */
  static final Duration PERIOD = Duration.ofSeconds(2);

  private final KubernetesClient client;
  private final String namespace;
  private final ControllerConfig config;
  private final Clock clock;
  private final LeaderElection election;
  private final AtomicReference<Leading> running = new AtomicReference<>();

  /** What runs while this instance leads. */
  private record Leading(
      ModelController controller, Autoscaler autoscaler, ScheduledExecutorService executor) {
    void stop() {
      autoscaler.close();
      controller.close();
      executor.shutdownNow();
    }
  }

  /** The gateway Service whose pods report the concurrency the autoscaler scales on. */
  public static final String GATEWAY_SERVICE = "kairos-gateway";

  public ClusterController(
      KubernetesClient client,
      ControllerConfig config,
      LeaderElectionSettings leaderElection,
      Clock clock) {
    this.client = client;
    this.namespace = config.namespace();
    this.config = config;
    this.clock = clock;
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

  /** The autoscaler while this instance leads. */
  public Optional<Autoscaler> autoscaler() {
    Leading l = running.get();
    return l == null ? Optional.empty() : Optional.of(l.autoscaler());
  }

  /**
   * A gateway holds requests for a model without ready replicas: decide for its versions (the one
   * named, or all) now rather than at the next tick.
   *
   * @return false when this instance does not lead or does not scale that model
   */
  public boolean demand(String model, String version) {
    Leading l = running.get();
    if (l == null) {
      return false;
    }
    boolean any = false;
    for (var t : l.autoscaler().targets()) {
      if (t.model().equals(model) && (version == null || t.version().equals(version))) {
        l.autoscaler().demand(t);
        any = true;
      }
    }
    return any;
  }

  private void startReconciling() {
    ScheduledExecutorService executor =
        Executors.newScheduledThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "kairos-autoscaler");
              t.setDaemon(true);
              return t;
            });
    GatewayConcurrency concurrency = new GatewayConcurrency(client, namespace, GATEWAY_SERVICE);
    Autoscaler autoscaler =
        new Autoscaler(
            new KubernetesScaler(client, namespace, executor),
            concurrency,
            dev.kairos.sdk.time.Clock.system());
    ModelController c =
        new ModelController(
            client,
            namespace,
            new ModelReconciler(client, config, clock, new AutoscaledModels(autoscaler)));
    c.start();
    executor.scheduleAtFixedRate(
        () -> {
          try {
            concurrency.refresh();
          } catch (RuntimeException e) {
            log.warn("gateway metrics not read: {}", e.toString());
          }
        },
        0,
        PERIOD.toMillis(),
        TimeUnit.MILLISECONDS);
    autoscaler.start(executor, PERIOD, PERIOD);
    Leading previous = running.getAndSet(new Leading(c, autoscaler, executor));
    if (previous != null) {
      previous.stop();
    }
  }

  private void stopReconciling() {
    Leading l = running.getAndSet(null);
    if (l != null) {
      l.stop();
    }
  }

  /** Stops reconciling and hands the lease back. */
  @Override
  public void close() {
    election.close();
    stopReconciling();
  }
}
