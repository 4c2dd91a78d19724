package dev.kairos.kubernetes.leader;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes one autoscaler instance of many the leader through a coordination.k8s.io Lease; only the
 * leader runs the controllers and scales. A leader that cannot renew stops leading before its lease
 * runs out, so two leaders never act at once; it then competes again as a standby. Closing an
 * instance releases the lease, so a standby takes over without waiting for it to expire.
 */
public final class LeaderElection implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);

  private final KubernetesClient client;
  private final LeaderElectionSettings settings;
  private final Runnable onStartLeading;
  private final Runnable onStopLeading;
  private final Consumer<String> onNewLeader;
  private volatile boolean leading;
  private volatile boolean closed;
  private volatile String leader;
  private CompletableFuture<?> running;

  /**
   * @param onStartLeading runs when this instance becomes leader (start the controllers)
   * @param onStopLeading runs when it stops being leader (stop them, at once)
   * @param onNewLeader told the identity of each new leader, this instance's included
   */
  public LeaderElection(
      KubernetesClient client,
      LeaderElectionSettings settings,
      Runnable onStartLeading,
      Runnable onStopLeading,
      Consumer<String> onNewLeader) {
    this.client = client;
    this.settings = settings;
    this.onStartLeading = onStartLeading;
    this.onStopLeading = onStopLeading;
    this.onNewLeader = onNewLeader;
  }

  /** Starts competing for the lease; returns at once. */
  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException("leader election of " + settings.identity() + " is closed");
    }
    running =
        client
            .leaderElector()
            .withConfig(
                new LeaderElectionConfigBuilder()
                    .withName(settings.leaseName())
                    .withLock(
                        new LeaseLock(
                            settings.namespace(), settings.leaseName(), settings.identity()))
                    .withLeaseDuration(settings.leaseDuration())
                    .withRenewDeadline(settings.renewDeadline())
                    .withRetryPeriod(settings.retryPeriod())
                    .withReleaseOnCancel(settings.releaseOnClose())
                    .withLeaderCallbacks(
                        new LeaderCallbacks(this::started, this::stopped, this::newLeader))
                    .build())
            .build()
            .start();
    running.whenComplete(
        (v, e) -> {
          // however the elector ended, this instance no longer holds the lease
          stopped();
          if (!closed) {
            log.info("{} competes again for lease {}", settings.identity(), settings.leaseName());
            CompletableFuture.runAsync(
                this::restart,
                CompletableFuture.delayedExecutor(
                    settings.retryPeriod().toMillis(), TimeUnit.MILLISECONDS));
          }
        });
  }

  private synchronized void restart() {
    if (!closed) {
      start();
    }
  }

  public boolean isLeader() {
    return leading;
  }

  /** The identity of the leader last seen, or null. */
  public String leader() {
    return leader;
  }

  public String identity() {
    return settings.identity();
  }

  private void started() {
    leading = true;
    log.info("{} is now the leader (lease {})", settings.identity(), settings.leaseName());
    onStartLeading.run();
  }

  private synchronized void stopped() {
    if (leading) {
      leading = false;
      log.info("{} stopped leading (lease {})", settings.identity(), settings.leaseName());
      onStopLeading.run();
    }
  }

  private void newLeader(String identity) {
    leader = identity;
    onNewLeader.accept(identity);
  }

  /** Stops competing; a leader releases its lease. */
  @Override
  public synchronized void close() {
    closed = true;
    if (running != null) {
      running.cancel(true);
    }
  }
}
