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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replicas killed with SIGKILL under a steady stream of requests, on {@code kairos serve} with real
 * replica processes: {@code pair} runs two replicas of the MLP, {@code single} one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplicaFaultsIT {
  private static final Path MLP = KairosProcess.HOME.resolve("examples/models/mlp");

  private Path models;
  private KairosProcess kairos;
  private String request;

  @BeforeAll
  void serve(@TempDir Path repo) throws Exception {
    models = repo;
    model("pair", 2);
    model("single", 1);
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

  private void model(String name, int replicas) throws Exception {
    Path dir = Files.createDirectories(models.resolve(name + "/1"));
    Files.copy(MLP.resolve("1/model.onnx"), dir.resolve("model.onnx"));
    Files.writeString(
        models.resolve(name + "/model.yaml"),
        "name: "
            + name
            + "\nscaling: {minReplicas: "
            + replicas
            + ", initialScale: "
            + replicas
            + ", maxReplicas: "
            + replicas
            + "}\n");
  }

  @Test
  void shouldLoseNoRequestWhenOneOfTwoReplicasIsKilled() throws Exception {
    List<ProcessHandle> before = ProcessProbe.replicas(kairos, models.resolve("pair"));
    assertThat(before).hasSize(2);
    double retriedBefore = retried("pair");
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger ok = new AtomicInteger();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    ExecutorService clients = Executors.newFixedThreadPool(4);
    List<CompletableFuture<Void>> streams = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      streams.add(
          CompletableFuture.runAsync(() -> stream("pair", stop, ok, failures, 60_000), clients));
    }
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> ok.get() >= 200 || !failures.isEmpty());
      ProcessHandle victim = before.get(0);
      int atKill = ok.get();
      ProcessProbe.signal("9", victim.pid());
      // the supervisor replaces it; the stream goes on meanwhile
      await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () ->
                  !failures.isEmpty()
                      || (ProcessProbe.supervision(kairos, "pair").contains("\"restarts\":1")
                          && ProcessProbe.supervision(kairos, "pair").contains("\"ready\":2")
                          && ok.get() >= atKill + 200));
      int afterReplacement = ok.get();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> !failures.isEmpty() || ok.get() >= afterReplacement + 200);
    } finally {
      stop.set(true);
      CompletableFuture.allOf(streams.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      clients.shutdownNow();
    }
    assertThat(failures).as("client-visible errors").isEmpty();
    List<ProcessHandle> after = ProcessProbe.replicas(kairos, models.resolve("pair"));
    assertThat(after).hasSize(2).doesNotContain(before.get(0)).contains(before.get(1));
    double retried = retried("pair") - retriedBefore;
    System.out.printf(
        "kill -9 of one of two replicas: %d requests answered 200, 0 errors, %.0f retried%n",
        ok.get(), retried);
    assertThat(ProcessProbe.supervision(kairos, "pair")).contains("exited with status 137");
  }

  @Test
  void shouldHoldRequestsForTheReplacementOfTheOnlyReplicaOrAnswer503InTime() throws Exception {
    List<ProcessHandle> before = ProcessProbe.replicas(kairos, models.resolve("single"));
    assertThat(before).hasSize(1);
    assertThat(kairos.infer("single", request, 60_000).statusCode()).isEqualTo(200);
    ProcessProbe.signal("9", before.get(0).pid());
    await().atMost(Duration.ofSeconds(10)).until(() -> !before.get(0).isAlive());
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try {
      // long deadlines wait for the replacement; short ones give up with 503 by their deadline
      List<CompletableFuture<HttpResponse<String>>> patient = new ArrayList<>();
      List<CompletableFuture<HttpResponse<String>>> hurried = new ArrayList<>();
      List<CompletableFuture<Long>> hurriedMillis = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        patient.add(
            CompletableFuture.supplyAsync(() -> kairos.infer("single", request, 60_000), clients));
        long[] took = new long[1];
        CompletableFuture<HttpResponse<String>> h =
            CompletableFuture.supplyAsync(
                () -> {
                  long t0 = System.nanoTime();
                  HttpResponse<String> r = kairos.infer("single", request, 150);
                  took[0] = (System.nanoTime() - t0) / 1_000_000;
                  return r;
                },
                clients);
        hurried.add(h);
        hurriedMillis.add(h.thenApply(r -> took[0]));
      }
      for (CompletableFuture<HttpResponse<String>> f : hurried) {
        HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
        assertThat(r.statusCode()).as(r.body()).isIn(200, 503);
      }
      for (CompletableFuture<Long> t : hurriedMillis) {
        // 150 ms of deadline, plus slack for a loaded machine: nothing waits for the replacement
        assertThat(t.get()).isLessThan(5_000);
      }
      for (CompletableFuture<HttpResponse<String>> f : patient) {
        HttpResponse<String> r = f.get(90, TimeUnit.SECONDS);
        assertThat(r.statusCode()).as(r.body()).isIn(200, 503);
      }
      assertThat(patient.stream().map(CompletableFuture::join).map(HttpResponse::statusCode))
          .as("requests with time to wait get the replacement's answer")
          .contains(200);
    } finally {
      clients.shutdownNow();
    }
    assertThat(ProcessProbe.replicas(kairos, models.resolve("single"))).hasSize(1);
    assertThat(kairos.infer("single", request, 60_000).statusCode()).isEqualTo(200);
  }

  private void stream(
      String model,
      AtomicBoolean stop,
      AtomicInteger ok,
      ConcurrentLinkedQueue<String> failures,
      long timeoutMs) {
    while (!stop.get()) {
      HttpResponse<String> r = kairos.infer(model, request, timeoutMs);
      if (r.statusCode() == 200) {
        ok.incrementAndGet();
      } else {
        failures.add(r.statusCode() + " " + r.body());
      }
    }
  }

  private double retried(String model) throws Exception {
    Matcher m =
        Pattern.compile(
                "kairos_gateway_retries_total\\{model=\""
                    + model
                    + "\",outcome=\"retried\"} ([0-9.eE+]+)")
            .matcher(kairos.get("/metrics").body());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
