package dev.kairos.kubernetes.leader;

import java.time.Duration;
import java.util.Objects;

/**
 * How an instance competes for the autoscaler's Lease.
 *
 * @param namespace where the Lease lives
 * @param leaseName the Lease every instance competes for
 * @param identity this instance (the pod name in a cluster)
 * @param leaseDuration how long a lease holds without renewal before a standby may take it (default
 *     15s)
 * @param renewDeadline how long the leader keeps trying to renew before it gives up (default 10s)
 * @param retryPeriod how often instances try to acquire or renew (default 2s)
 * @param releaseOnClose whether closing a leader hands the lease back at once (default true); off,
 *     a standby waits for the lease to expire, as it does when a leader dies
 */
public record LeaderElectionSettings(
    String namespace,
    String leaseName,
    String identity,
    Duration leaseDuration,
    Duration renewDeadline,
    Duration retryPeriod,
    boolean releaseOnClose) {
  public LeaderElectionSettings {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(leaseName, "leaseName");
    Objects.requireNonNull(identity, "identity");
    if (renewDeadline.compareTo(leaseDuration) >= 0) {
      throw new IllegalArgumentException(
          "renewDeadline = " + renewDeadline + ", must be < leaseDuration (" + leaseDuration + ")");
    }
    if (retryPeriod.compareTo(renewDeadline) >= 0) {
      throw new IllegalArgumentException(
          "retryPeriod = " + retryPeriod + ", must be < renewDeadline (" + renewDeadline + ")");
    }
  }

  public static LeaderElectionSettings defaults(String namespace, String identity) {
    return new LeaderElectionSettings(
        namespace,
        "kairos-autoscaler",
        identity,
        Duration.ofSeconds(15),
        Duration.ofSeconds(10),
        Duration.ofSeconds(2),
        true);
  }
}
