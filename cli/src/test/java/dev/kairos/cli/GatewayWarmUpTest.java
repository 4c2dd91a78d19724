package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.sdk.replica.ReplicaToken;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The warm-up gateway with a real runtime host (a child process) that requires the token. */
class GatewayWarmUpTest {
  @TempDir Path dir;

  @Test
  void shouldHoldEachRequestAtZeroLoadItIntoTheHostForwardItAndLeaveNothingLoadedOrRouted()
      throws Exception {
    Path model = dev.kairos.runtime.WarmUpModel.writeTo(dir);
    String name = dev.kairos.runtime.WarmUpModel.NAME;
    ReplicaToken token = ReplicaToken.random();
    Vertx vertx = Vertx.vertx();
    try (SharedHosts hosts =
        new SharedHosts(
            new ReplicaCommand(List.of("-Xmx256m"), 0, token),
            256L << 20,
            2,
            null,
            new PrintStream(new ByteArrayOutputStream(), true))) {
      // serve's own start warms the host this way too; a host that failed it would count 0
      assertThat(hosts.start(1).get(3, TimeUnit.MINUTES)).as("hosts warmed up").isEqualTo(1);
      RuntimeHost host = hosts.hosts().get(0);
      try (GatewayWarmUp gateway = GatewayWarmUp.start(vertx, host, model, name, token)) {
        for (int i = 0; i < 3; i++) {
          gateway.round(dev.kairos.runtime.WarmUpModel.requestJson()).get(60, TimeUnit.SECONDS);
          // the request waited at zero (the activator's demand loaded the model), and was answered
          // by the host through the gateway, which then routed nothing and the host held nothing
          assertThat(gateway.loads()).isEqualTo(i + 1);
          assertThat(gateway.routed()).isZero();
          assertThat(host.index().get(30, TimeUnit.SECONDS)).isEmpty();
        }
      }
      assertThat(Files.exists(model)).isTrue();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
