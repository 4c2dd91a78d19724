package dev.kairos.gateway.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The alarm that fails tests whose code blocks an event loop does go off. */
class NoBlockedEventLoopsTest {
  @Test
  void shouldReportAnEventLoopBlockedForASecond() throws Exception {
    Vertx vertx = TestVertx.create();
    try {
      // The blocking call under test: what a handler that sleeps or waits on a process does.
      vertx.runOnContext(
          v -> {
            try {
              new java.util.concurrent.CountDownLatch(1)
                  .await(
                      1_000 + TestVertx.MAX_EVENT_LOOP_MILLIS / 2,
                      java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
      List<String> reports = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                reports.addAll(BlockedLoops.drain());
                return !reports.isEmpty();
              });
      assertThat(reports.get(0)).contains("vert.x-eventloop-thread").contains("blocked");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
      BlockedLoops.drain(); // this test's own report must not fail it
    }
  }
}
