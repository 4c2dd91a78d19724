package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale from zero, up under a burst, and back to zero, on {@code kairos serve} with real replica
 * processes: the small CNN with short windows (stable 6s, grace 2s) and one request per replica as
 * its target, so a dozen closed-loop clients ask for every replica it may have.
 */
class AutoscaleEndToEndIT {
  private static final Path CNN = KairosProcess.HOME.resolve("examples/models/cnn");
  private static final int MAX_REPLICAS = 3;

  @TempDir Path models;

  @Test
  void shouldScaleFromZeroUpUnderABurstAndBackToZeroWithoutLosingARequest() throws Exception {
    Path dir = models.resolve("cnn");
    Files.createDirectories(dir.resolve("1"));
    Files.copy(CNN.resolve("1/model.onnx"), dir.resolve("1/model.onnx"));
    Files.writeString(
        dir.resolve("model.yaml"),
        "scaling: {minReplicas: 0, initialScale: 0, maxReplicas: "
            + MAX_REPLICAS
            + ", targetConcurrency: 1, targetUtilizationPercentage: 100,"
            + " stableWindow: 6s, panicWindowPercentage: 20, scaleToZeroAfter: 2s}\n");
    String golden = Files.readString(CNN.resolve("golden/request.json"));
    byte[] goldenResponse = Files.readAllBytes(CNN.resolve("golden/response.json"));

    try (KairosProcess kairos =
        KairosProcess.serve(
            models, "--autoscale-tick", "1s", "--hold-timeout", "60s", "--warm-pool", "0")) {
      assertThat(replicas(kairos)).as("a model with initialScale 0 starts at zero").isZero();

      // the first request finds no replica: it is held while one starts, then answered
      HttpResponse<String> first = kairos.post("/v2/models/cnn/infer", golden);
      assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
      ServeEndToEndIT.assertMatchesGolden("cnn", first.body(), goldenResponse);
      assertThat(replicas(kairos)).isEqualTo(1);

      // a burst from 12 closed-loop clients: the autoscaler goes to the maximum
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger ok = new AtomicInteger();
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
      ExecutorService clients = Executors.newFixedThreadPool(12);
      List<CompletableFuture<Void>> loops = new ArrayList<>();
      for (int c = 0; c < 12; c++) {
        loops.add(
            CompletableFuture.runAsync(
                () -> {
                  while (!stop.get()) {
                    try {
                      HttpResponse<String> r = kairos.post("/v2/models/cnn/infer", golden);
                      if (r.statusCode() == 200) {
                        ok.incrementAndGet();
                      } else {
                        failures.add(r.statusCode() + " " + r.body());
                      }
                    } catch (Exception e) {
                      failures.add(e.toString());
                    }
                  }
                },
                clients));
      }
      try {
        await()
            .atMost(Duration.ofSeconds(180))
            .pollInterval(Duration.ofMillis(200))
            .until(
                () ->
                    (readyEvents(kairos) >= MAX_REPLICAS && replicas(kairos) >= MAX_REPLICAS)
                        || !failures.isEmpty());
      } finally {
        stop.set(true);
        CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).join();
        clients.shutdown();
      }
      assertThat(failures).as("every request of the burst answered 200").isEmpty();
      assertThat(ok.get()).isPositive();

      // idle: panic ends after a stable window, the stable average drains, then the grace period
      await()
          .atMost(Duration.ofSeconds(180))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> replicas(kairos) == 0);
      assertThat(kairos.output()).contains("stopped");

      // and back from zero once more
      HttpResponse<String> again = kairos.post("/v2/models/cnn/infer", golden);
      assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    }
  }

  @Test
  void shouldServeTheFirstRequestAtZeroFromAWarmStandbyProcess() throws Exception {
    Path dir = models.resolve("cnn");
    Files.createDirectories(dir.resolve("1"));
    Files.copy(CNN.resolve("1/model.onnx"), dir.resolve("1/model.onnx"));
    Files.writeString(dir.resolve("model.yaml"), "scaling: {initialScale: 0}\n");
    String golden = Files.readString(CNN.resolve("golden/request.json"));
    try (KairosProcess kairos =
        KairosProcess.serve(
            models, "--warm-pool", "1", "--admin-port", "0", "--admin-key", ADMIN_KEY)) {
      await().atMost(Duration.ofSeconds(60)).until(() -> replicas(kairos) == 1);
      assertThat(kairos.output()).doesNotContain("cnn v1: ready");

      HttpResponse<String> first = kairos.post("/v2/models/cnn/infer", golden);
      assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
      ServeEndToEndIT.assertMatchesGolden(
          "cnn", first.body(), Files.readAllBytes(CNN.resolve("golden/response.json")));
      assertThat(kairos.output()).contains("cnn v1: ready");
      // the standby became the replica; the pool starts another standby in its place
      await().atMost(Duration.ofSeconds(60)).until(() -> replicas(kairos) == 2);

      // knobs at run time through the admin API, with the model.yaml validator's messages
      String admin = adminUrl(kairos);
      Cli ok = scale(admin, "cnn", "--set", "targetConcurrency=2,maxScaleDownRate=4");
      assertThat(ok.exit()).as(ok.output()).isZero();
      assertThat(ok.output()).contains("targetConcurrency", "2.0", "maxScaleDownRate", "4.0");
      Cli shown = scale(admin, "cnn");
      assertThat(shown.output()).containsPattern("maxScaleDownRate\\s+4\\.0");
      Cli bad = scale(admin, "cnn", "--set", "maxScaleUpRate=0.5");
      assertThat(bad.exit()).isEqualTo(2);
      assertThat(bad.output()).contains("maxScaleUpRate = 0.5, must be > 1.0");
      Cli unknown = scale(admin, "nosuch");
      assertThat(unknown.exit()).isEqualTo(3);
    }
  }

  private static final String ADMIN_KEY = "autoscale-it";

  record Cli(int exit, String output) {}

  private static String adminUrl(KairosProcess kairos) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("Admin API on (http://127\\.0\\.0\\.1:\\d+)")
            .matcher(kairos.output());
    assertThat(m.find()).as(kairos.output()).isTrue();
    return m.group(1);
  }

  /** Runs {@code ./kairos scale} as a user would, and collects its exit code and output. */
  private static Cli scale(String admin, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(KairosProcess.HOME.resolve("kairos").toString());
    cmd.add("scale");
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--admin-url", admin, "--admin-key", ADMIN_KEY));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("KAIROS_SKIP_BUILD", "1");
    Process p = pb.start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    return new Cli(p.waitFor(), out);
  }

  /** Replicas that became ready so far (the console prints one line for each). */
  private static long readyEvents(KairosProcess kairos) {
    return kairos.output().lines().filter(l -> l.contains("cnn v1: ready")).count();
  }

  /** Runtime processes (replicas, and standbys of the warm pool) alive under kairos. */
  private static long replicas(KairosProcess kairos) {
    return kairos.process().children().filter(ProcessHandle::isAlive).count();
  }
}
