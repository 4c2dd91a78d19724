package dev.kairos.kubernetes.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true, https = false)
class LeaderElectionTest {
  static final String NS = "kairos";

  KubernetesMockServer server;
  final List<LeaderElection> elections = new ArrayList<>();
  final List<KubernetesClient> clients = new ArrayList<>();
  final AtomicInteger leaders = new AtomicInteger();
  final List<String> overlaps = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    elections.forEach(LeaderElection::close);
    clients.forEach(KubernetesClient::close);
  }

  @Test
  void shouldElectExactlyOneLeader() {
    LeaderElection a = instance("autoscaler-a");
    LeaderElection b = instance("autoscaler-b");

    await().until(() -> a.isLeader() || b.isLeader());
    LeaderElection leader = a.isLeader() ? a : b;
    LeaderElection standby = leader == a ? b : a;

    await().until(() -> leader.identity().equals(standby.leader()));
    assertThat(standby.isLeader()).isFalse();
    Lease lease = clients.get(0).leases().inNamespace(NS).withName("kairos-autoscaler").get();
    assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(leader.identity());
    assertThat(overlaps).isEmpty();
  }

  @Test
  void shouldLetTheStandbyTakeOverWhenTheLeadersLeaseExpires() {
    LeaderElection a = instance("autoscaler-a", false);
    await().until(a::isLeader);
    LeaderElection b = instance("autoscaler-b", false);
    await().until(() -> "autoscaler-a".equals(b.leader()));
    String heldSince =
        clients
            .get(0)
            .leases()
            .inNamespace(NS)
            .withName("kairos-autoscaler")
            .get()
            .getSpec()
            .getAcquireTime()
            .toString();

    // the leader dies without handing its lease back: the standby must wait for it to expire
    a.close();

    await().atMost(Duration.ofSeconds(30)).until(b::isLeader);
    assertThat(a.isLeader()).isFalse();
    assertThat(overlaps).isEmpty();
    Lease lease = clients.get(1).leases().inNamespace(NS).withName("kairos-autoscaler").get();
    assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("autoscaler-b");
    assertThat(lease.getSpec().getLeaseTransitions()).isGreaterThanOrEqualTo(1);
    assertThat(lease.getSpec().getAcquireTime().toString()).isNotEqualTo(heldSince);
  }

  @Test
  void shouldHandOverWhenTheLeaderShutsDown() {
    LeaderElection a = instance("autoscaler-a");
    await().until(a::isLeader);
    LeaderElection b = instance("autoscaler-b");
    await().until(() -> "autoscaler-a".equals(b.leader()));

    a.close();

    await().atMost(Duration.ofSeconds(30)).until(b::isLeader);
    assertThat(a.isLeader()).isFalse();
    assertThat(overlaps).isEmpty();
  }

  private LeaderElection instance(String identity) {
    return instance(identity, true);
  }

  private LeaderElection instance(String identity, boolean releaseOnClose) {
    KubernetesClient client = server.createClient();
    clients.add(client);
    LeaderElectionSettings settings =
        new LeaderElectionSettings(
            NS,
            "kairos-autoscaler",
            identity,
            Duration.ofMillis(4000),
            Duration.ofMillis(3000),
            Duration.ofMillis(250),
            releaseOnClose);
    LeaderElection e =
        new LeaderElection(
            client,
            settings,
            () -> {
              if (leaders.incrementAndGet() > 1) {
                overlaps.add(identity);
              }
            },
            leaders::decrementAndGet,
            id -> {});
    elections.add(e);
    e.start();
    return e;
  }
}
