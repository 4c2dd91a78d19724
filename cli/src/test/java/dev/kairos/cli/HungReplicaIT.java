package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica process that is alive but stuck (stopped with SIGSTOP) is found by its liveness probe,
 * killed and replaced; one paused briefly, as the arbiter pauses heavy replicas, is left alone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HungReplicaIT {
  private static final Path MLP = KairosProcess.HOME.resolve("examples/models/mlp");

  private Path models;
  private KairosProcess kairos;
  private String request;

  @BeforeAll
  void serve(@TempDir Path repo) throws Exception {
    models = repo;
    model("paused");
    model("stuck");
    request = Files.readString(MLP.resolve("golden/request.json"));
    List<String> args = new ArrayList<>(List.of("--warm-pool", "0"));
    args.addAll(List.of(ProcessProbe.adminArgs()));
    kairos = KairosProcess.serve(models, args.toArray(String[]::new));
  }

  @AfterAll
  void stop() throws InterruptedException {
    if (kairos != null) {
      kairos.close();
    }
  }

  private void model(String name) throws Exception {
    Path dir = Files.createDirectories(models.resolve(name + "/1"));
    Files.copy(MLP.resolve("1/model.onnx"), dir.resolve("model.onnx"));
    Files.writeString(
        models.resolve(name + "/model.yaml"),
        "name: " + name + "\nscaling: {minReplicas: 1, initialScale: 1, maxReplicas: 1}\n");
  }

  @Test
  void shouldKillAndReplaceAReplicaThatStopsAnswering() throws Exception {
    List<ProcessHandle> before = ProcessProbe.replicas(kairos, models.resolve("stuck"));
    assertThat(before).hasSize(1);
    ProcessHandle stuck = before.get(0);
    ProcessProbe.signal("STOP", stuck.pid());
    try {
      await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () ->
                  ProcessProbe.supervision(kairos, "stuck").contains("\"restarts\":1")
                      && ProcessProbe.supervision(kairos, "stuck").contains("\"ready\":1"));
    } finally {
      if (stuck.isAlive()) {
        ProcessProbe.signal("CONT", stuck.pid());
      }
    }
    String s = ProcessProbe.supervision(kairos, "stuck");
    assertThat(s).contains(stuck.pid() + " hung").contains("liveness probes");
    assertThat(s).containsPattern("\"lastExitAt\":\"\\d{4}-\\d\\d-\\d\\dT");
    await().atMost(Duration.ofSeconds(10)).until(() -> !stuck.isAlive());
    List<ProcessHandle> after = ProcessProbe.replicas(kairos, models.resolve("stuck"));
    assertThat(after).hasSize(1).doesNotContain(stuck);
    assertThat(kairos.post("/v2/models/stuck/infer", request).statusCode()).isEqualTo(200);
  }

  @Test
  void shouldLeaveAReplicaPausedForSlicesAlone() throws Exception {
    ProcessHandle replica = ProcessProbe.replicas(kairos, models.resolve("paused")).get(0);
    // as the arbiter does on a shared CPU device: stopped for a slice, run, stopped again
    // every 100 ms the replica is stopped or continued, in turn, for 10 s
    java.util.concurrent.ScheduledExecutorService slicer =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    java.util.concurrent.atomic.AtomicBoolean stopped =
        new java.util.concurrent.atomic.AtomicBoolean();
    try {
      slicer.scheduleAtFixedRate(
          () -> {
            try {
              ProcessProbe.signal(stopped.get() ? "CONT" : "STOP", replica.pid());
              stopped.set(!stopped.get());
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          },
          0,
          100,
          java.util.concurrent.TimeUnit.MILLISECONDS);
      await()
          .during(Duration.ofSeconds(10))
          .atMost(Duration.ofSeconds(15))
          .until(() -> ProcessProbe.supervision(kairos, "paused").contains("\"restarts\":0"));
    } finally {
      slicer.shutdownNow();
      slicer.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
      ProcessProbe.signal("CONT", replica.pid());
    }
    assertThat(ProcessProbe.supervision(kairos, "paused")).contains("\"restarts\":0");
    assertThat(ProcessProbe.replicas(kairos, models.resolve("paused"))).containsExactly(replica);
    assertThat(kairos.post("/v2/models/paused/infer", request).statusCode()).isEqualTo(200);
  }
}
