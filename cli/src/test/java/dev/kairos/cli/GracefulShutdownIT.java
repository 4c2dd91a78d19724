package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A burst beyond what a replica can hold (shed with 503, nothing hangs), then SIGTERM to a replica
 * (a rolling replacement) and to {@code kairos serve} itself, while requests are in progress. The
 * models are Java predictors that wait at a gate the test holds (a file lock), so requests are
 * certainly in progress when a signal comes, and finish only when the test lets them. Nothing in
 * progress may fail.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GracefulShutdownIT {
  /**
   * A model that passes each request through the gate: a shared lock on the gate file, which blocks
   * while the test holds its exclusive lock (locks on a file are per process, so one request at a
   * time takes it within a replica).
   */
  private static final String GATED =
      """
      private static final java.nio.file.Path GATE = java.nio.file.Path.of("%s");

      public synchronized InferenceResponse predict(InferenceRequest request) throws Exception {
        try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(GATE);
            java.nio.channels.FileLock passed = c.lock(0, Long.MAX_VALUE, true)) {
          // through the gate: the test has let requests finish
        }
        Tensor x = request.requireInput("x");
        return InferenceResponse.of(
            Tensor.ofFloats("y", new long[] {x.dim(0), x.dim(1)}, x.asFloatArray()));
      }
      """;

  private Path slow;
  private Gate gate;
  private KairosProcess kairos;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void serve(@TempDir Path repo) throws Exception {
    gate = new Gate(repo.resolve("gate"));
    String model = GATED.formatted(repo.resolve("gate"));
    slow = TestPredictors.write(repo, "slow", "Slow", model);
    Path shed = TestPredictors.write(repo, "shed", "Shed", model);
    Files.writeString(
        shed.resolve("model.yaml"),
        Files.readString(shed.resolve("model.yaml")).replace("maxQueueSize: 64", "maxQueueSize: 2")
            + "scaling: {minReplicas: 1, initialScale: 1, maxReplicas: 1}\n");
    Files.writeString(
        slow.resolve("model.yaml"),
        "scaling: {minReplicas: 2, initialScale: 2, maxReplicas: 2}\n",
        StandardOpenOption.APPEND);
    List<String> args = new ArrayList<>(List.of("--warm-pool", "0"));
    args.addAll(List.of(ProcessProbe.adminArgs()));
    kairos = KairosProcess.serve(repo, args.toArray(String[]::new));
  }

  @AfterAll
  void stop() throws Exception {
    if (gate != null) {
      gate.open();
    }
    if (kairos != null) {
      kairos.close();
    }
  }

  @Test
  @Order(0)
  void shouldShedWhatAReplicaCannotHoldWith503AndAnswerEveryRequest() throws Exception {
    // one replica that holds 3 (a batch of 1 running, 2 queued) of 24 requests sent at once
    ExecutorService clients = Executors.newFixedThreadPool(24);
    gate.hold();
    try {
      List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        burst.add(CompletableFuture.supplyAsync(() -> post("shed"), clients));
      }
      // while the 3 it holds wait at the gate, the other 21 are answered
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> burst.stream().filter(CompletableFuture::isDone).count() == 21);
      for (CompletableFuture<HttpResponse<String>> f : burst) {
        if (f.isDone()) {
          HttpResponse<String> r = f.get();
          assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
          assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
          assertThat(r.body()).contains("overloaded");
        }
      }
      gate.open();
      for (CompletableFuture<HttpResponse<String>> f : burst) {
        HttpResponse<String> r = f.get(60, TimeUnit.SECONDS); // none hangs
        assertThat(r.statusCode()).as(r.body()).isIn(200, 503);
      }
      assertThat(burst.stream().filter(f -> f.join().statusCode() == 200)).hasSize(3);
    } finally {
      gate.open();
      clients.shutdownNow();
    }
    assertThat(post("shed").statusCode()).as("serves again once the burst is over").isEqualTo(200);
  }

  @Test
  @Order(1)
  void shouldFinishRequestsInProgressAndReplaceAReplicaSentSigterm() throws Exception {
    List<ProcessHandle> before = ProcessProbe.replicas(kairos, slow);
    assertThat(before).hasSize(2);
    ProcessHandle victim = before.get(0);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger ok = new AtomicInteger();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    ExecutorService clients = Executors.newFixedThreadPool(6);
    List<CompletableFuture<Void>> streams = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      streams.add(
          CompletableFuture.runAsync(
              () -> {
                while (!stop.get()) {
                  HttpResponse<String> r = post();
                  if (r.statusCode() == 200) {
                    ok.incrementAndGet();
                  } else {
                    failures.add(r.statusCode() + " " + r.body());
                  }
                }
              },
              clients));
    }
    gate.hold();
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> inFlightAt(victim.pid()) > 0);
      ProcessProbe.signal("TERM", victim.pid());
      // the victim drains with requests held in it; then they may finish
      Pattern draining =
          Pattern.compile("\"id\":\"slow v1#" + victim.pid() + "\"[^}]*\"draining\":true");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> draining.matcher(ProcessProbe.admin(kairos, "/admin/models/slow")).find());
      assertThat(inFlightAt(victim.pid())).as("requests in progress at the victim").isPositive();
      gate.open();
      await().atMost(Duration.ofSeconds(30)).until(() -> !victim.isAlive());
      await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () ->
                  ProcessProbe.admin(kairos, "/admin/supervision").contains("\"restarts\":1")
                      && ProcessProbe.replicas(kairos, slow).size() == 2
                      && ProcessProbe.admin(kairos, "/admin/supervision").contains("\"ready\":2"));
      int replaced = ok.get();
      await().atMost(Duration.ofSeconds(30)).until(() -> ok.get() >= replaced + 10);
    } finally {
      gate.open();
      stop.set(true);
      CompletableFuture.allOf(streams.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      clients.shutdownNow();
    }
    assertThat(failures).as("client-visible errors").isEmpty();
    assertThat(ProcessProbe.admin(kairos, "/admin/supervision")).contains("was sent SIGTERM");
    System.out.printf("SIGTERM to a replica: %d requests answered 200, 0 errors%n", ok.get());
  }

  @Test
  @Order(2)
  void shouldFinishRequestsInProgressWhenServeIsSentSigterm() throws Exception {
    List<ProcessHandle> replicas = ProcessProbe.replicas(kairos, slow);
    ExecutorService clients = Executors.newFixedThreadPool(4);
    gate.hold();
    try {
      List<CompletableFuture<HttpResponse<String>>> inProgress = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        inProgress.add(CompletableFuture.supplyAsync(this::post, clients));
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> gatewayInFlight() >= 4);
      kairos.process().destroy(); // SIGTERM
      // new connections are refused (a load balancer sends them to another gateway) while the
      // four requests are still held at the gate; then they may finish
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                try {
                  kairos.get("/v2/health/live");
                  return false;
                } catch (IOException refused) {
                  return true;
                }
              });
      assertThat(inProgress).noneMatch(CompletableFuture::isDone);
      gate.open();
      for (CompletableFuture<HttpResponse<String>> f : inProgress) {
        HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      }
      assertThat(kairos.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(replicas).noneMatch(ProcessHandle::isAlive));
    } finally {
      gate.open();
      clients.shutdownNow();
    }
  }

  private HttpResponse<String> post() {
    return post("slow");
  }

  private HttpResponse<String> post(String model) {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create(kairos.url() + "/v2/models/" + model + "/infer"))
              .header("Content-Type", "application/json")
              .header("Kairos-Timeout-Ms", "60000")
              .POST(HttpRequest.BodyPublishers.ofString(TestPredictors.request()))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException("request failed: " + e, e);
    }
  }

  /** Requests the gateway has forwarded to the replica with this pid and not yet had answered. */
  private int inFlightAt(long pid) throws Exception {
    Matcher m =
        Pattern.compile(
                "kairos_gateway_replica_in_flight\\{model=\"slow\",replica=\"slow v1#"
                    + pid
                    + "\",version=\"1\"} ([0-9.]+)")
            .matcher(kairos.get("/metrics").body());
    return m.find() ? (int) Double.parseDouble(m.group(1)) : 0;
  }

  private int gatewayInFlight() throws Exception {
    Matcher m =
        Pattern.compile("kairos_gateway_model_in_flight\\{model=\"slow\"} ([0-9.]+)")
            .matcher(kairos.get("/metrics").body());
    return m.find() ? (int) Double.parseDouble(m.group(1)) : 0;
  }

  /** The test's side of the gate: while it holds the file's exclusive lock, models wait. */
  private static final class Gate {
    private final FileChannel channel;
    private FileLock held;

    Gate(Path file) throws IOException {
      channel =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    synchronized void hold() throws IOException {
      if (held == null) {
        held = channel.lock();
      }
    }

    synchronized void open() throws IOException {
      if (held != null) {
        held.release();
        held = null;
      }
    }
  }
}
