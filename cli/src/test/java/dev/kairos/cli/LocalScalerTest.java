package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.autoscaler.scaler.ReplicaCount;
import dev.kairos.autoscaler.scaler.ScaleTarget;
import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelRepository;
import dev.kairos.runtime.repository.ModelVersion;
import dev.kairos.sdk.time.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The scaler counts each replica once, also in the moment it is routed but not yet started. */
class LocalScalerTest {
  private final RouteTable routes = new RouteTable();
  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
  private final ScaleTarget target = new ScaleTarget("mlp", "1");

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  /**
   * A platform whose replicas join the route table as {@link LocalPlatform} does, a moment before
   * their start completes; each start stays in that moment until the test completes it.
   */
  private final class RoutedBeforeStarted extends LocalPlatform {
    final List<CompletableFuture<Replica>> starts = new ArrayList<>();
    final ModelDirectory dir =
        new ModelRepository(Path.of("..", "examples", "models"))
            .scan().stream().filter(d -> d.name().equals("mlp")).findFirst().orElseThrow();

    RoutedBeforeStarted() {
      super(
          new ModelRepository(Path.of("..", "examples", "models")),
          routes,
          new ReplicaCommand(List.of(), 0),
          new PrintStream(new ByteArrayOutputStream(), true),
          0,
          new SharedDevices("deadline"));
    }

    @Override
    Optional<ModelDirectory> model(String name) {
      return Optional.of(dir);
    }

    @Override
    CompletableFuture<Replica> startReplica(
        ModelDirectory d, ModelVersion v, Consumer<String> onProcess) {
      String id = "mlp v1#" + (100 + starts.size());
      onProcess.accept(id);
      routes.model("mlp").version("1").add(new Replica(id, "127.0.0.1", 1, 8));
      CompletableFuture<Replica> start = new CompletableFuture<>();
      starts.add(start);
      return start;
    }
  }

  @Test
  void shouldNotCountAReplicaTwiceWhileItsStartCompletes() {
    try (RoutedBeforeStarted platform = new RoutedBeforeStarted()) {
      LocalScaler scaler =
          new LocalScaler(platform, new ManualClock(), executor, Duration.ofSeconds(1));
      scaler.scale(target, 1);
      assertThat(platform.starts).hasSize(1);

      // Routed, start not completed: one replica, still starting.
      assertThat(scaler.replicas(target)).isEqualTo(new ReplicaCount(1, 0));
      scaler.scale(target, 1);
      assertThat(platform.starts).hasSize(1);
      assertThat(routes.find("mlp").version("1").all()).noneMatch(Replica::draining);

      Replica started = routes.find("mlp").version("1").all().get(0);
      platform.starts.get(0).complete(started);
      assertThat(scaler.replicas(target)).isEqualTo(new ReplicaCount(1, 1));
      scaler.scale(target, 1);
      assertThat(platform.starts).hasSize(1);
      assertThat(started.draining()).isFalse();
    }
  }
}
