package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.runtime.repository.ModelRepository;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unloading waits for requests in progress without holding the thread that asked. */
class LocalPlatformUnloadTest {
  @TempDir Path repo;

  @Test
  void shouldReturnAtOnceAndFinishWhenTheLastRequestInProgressEnds() throws Exception {
    RouteTable routes = new RouteTable();
    Replica busy = new Replica("m v1#1", "127.0.0.1", 1);
    routes.model("m").version("1").add(busy);
    routes.model("m").markReady();
    assertThat(busy.tryAcquire()).isTrue();
    try (LocalPlatform platform =
        new LocalPlatform(
            new ModelRepository(repo),
            routes,
            new ReplicaCommand(List.of(), 0),
            new PrintStream(new ByteArrayOutputStream(), true),
            0,
            new SharedDevices("deadline"))) {
      long t0 = System.nanoTime();
      CompletableFuture<Void> unloaded = platform.unload("m", 30_000);
      // before, the caller (an event loop) polled with Thread.sleep until the request ended
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
      assertThat(busy.draining()).isTrue();
      assertThat(unloaded).isNotDone();
      assertThat(routes.find("m")).isNotNull();

      busy.release();
      unloaded.get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(routes.find("m")).isNull();
    }
  }

  @Test
  void shouldStopWaitingForRequestsAtTheGracePeriod() {
    RouteTable routes = new RouteTable();
    Replica stuck = new Replica("m v1#1", "127.0.0.1", 1);
    routes.model("m").version("1").add(stuck);
    stuck.acquire();
    try (LocalPlatform platform =
        new LocalPlatform(
            new ModelRepository(repo),
            routes,
            new ReplicaCommand(List.of(), 0),
            new PrintStream(new ByteArrayOutputStream(), true),
            0,
            new SharedDevices("deadline"))) {
      CompletableFuture<Void> unloaded = platform.unload("m", 200);
      await().atMost(Duration.ofSeconds(10)).until(unloaded::isDone);
      assertThat(routes.find("m")).isNull();
    }
  }

  @Test
  void shouldForgetARequestHeldForTheModelSoADeployAgainQueuesAsNew() throws Exception {
    try (LocalPlatform platform =
        new LocalPlatform(
            new ModelRepository(repo),
            new RouteTable(),
            new ReplicaCommand(List.of(), 0),
            new PrintStream(new ByteArrayOutputStream(), true),
            0,
            new SharedDevices("deadline"))) {
      platform.waiting().held("m");
      platform.unload("m", 200).get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(platform.waiting().waits("m")).isFalse();
    }
  }
}
