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
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults of shared runtime hosts, through {@code kairos serve} with two hosts: {@code pair} has a
 * replica in each, {@code lone} one in one of them, {@code broken} is a file no engine can load.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostFaultsIT {
  private static final Path MLP = KairosProcess.HOME.resolve("examples/models/mlp");
  private static final Pattern HOST_READY =
      Pattern.compile("runtime host (\\d+): ready \\(pid (\\d+) ");

  private Path models;
  private KairosProcess kairos;
  private String request;

  @BeforeAll
  void serve(@TempDir Path repo) throws Exception {
    models = repo;
    model("pair", 2, Files.readAllBytes(MLP.resolve("1/model.onnx")));
    model("lone", 1, Files.readAllBytes(MLP.resolve("1/model.onnx")));
    model("broken", 0, "not an onnx file".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    model("brief", 0, Files.readAllBytes(MLP.resolve("1/model.onnx")));
    Files.writeString(
        models.resolve("brief/model.yaml"),
        "name: brief\nengine: onnxruntime\nscaling: {minReplicas: 0, initialScale: 0,"
            + " maxReplicas: 2, stableWindow: 6s, panicWindowPercentage: 20,"
            + " scaleToZeroAfter: 2s}\n");
    request = Files.readString(MLP.resolve("golden/request.json"));
    List<String> args = new ArrayList<>(List.of("--warm-pool", "0", "--shared-hosts", "2"));
    args.addAll(List.of(ProcessProbe.adminArgs()));
    kairos = KairosProcess.serve(models, args.toArray(String[]::new));
  }

  @AfterAll
  void stop() throws InterruptedException {
    if (kairos != null) {
      kairos.close();
    }
  }

  private void model(String name, int replicas, byte[] artifact) throws Exception {
    Path dir = Files.createDirectories(models.resolve(name + "/1"));
    Files.write(dir.resolve("model.onnx"), artifact);
    Files.writeString(
        models.resolve(name + "/model.yaml"),
        "name: "
            + name
            + "\nengine: onnxruntime\nscaling: {minReplicas: "
            + replicas
            + ", initialScale: "
            + replicas
            + ", maxReplicas: "
            + Math.max(1, replicas)
            + "}\n");
  }

  @Test
  @Order(1)
  void shouldServeEveryReplicaFromTheHostsWithoutAProcessEach() {
    assertThat(hosts()).hasSize(2);
    assertThat(ProcessProbe.replicas(kairos, models.resolve("pair"))).isEmpty();
    assertThat(kairos.output()).contains("pair v1: ready (in runtime host 1");
    assertThat(kairos.output()).contains("pair v1: ready (in runtime host 2");
    assertThat(kairos.infer("pair", request, 30_000).statusCode()).isEqualTo(200);
    assertThat(kairos.infer("lone", request, 30_000).statusCode()).isEqualTo(200);
  }

  @Test
  @Order(2)
  void shouldHarmNoOtherModelWhenOneFailsToLoadInASharedHost() {
    List<Long> before = hosts().stream().map(ProcessHandle::pid).toList();
    HttpResponse<String> r = kairos.infer("broken", request, 5_000);
    assertThat(r.statusCode()).as(r.body()).isIn(503, 504);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> kairos.output().contains("broken v1: FAILED"));
    assertThat(kairos.output()).contains("broken v1: FAILED").contains("failed to load");
    assertThat(hosts().stream().map(ProcessHandle::pid).toList()).isEqualTo(before);
    for (int i = 0; i < 20; i++) {
      assertThat(kairos.infer("pair", request, 30_000).statusCode()).isEqualTo(200);
      assertThat(kairos.infer("lone", request, 30_000).statusCode()).isEqualTo(200);
    }
  }

  @Test
  @Order(3)
  void shouldBringTheModelsOfAHostKilledUnderLoadBackElsewhere() throws Exception {
    long victim = hostPid(hostOf("lone"));
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger ok = new AtomicInteger();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    ExecutorService clients = Executors.newFixedThreadPool(4);
    List<CompletableFuture<Void>> streams = new ArrayList<>();
    for (String model : List.of("pair", "pair", "lone", "lone")) {
      streams.add(CompletableFuture.runAsync(() -> stream(model, stop, ok, failures), clients));
    }
    int atKill;
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> ok.get() >= 100);
      atKill = ok.get();
      ProcessProbe.signal("9", victim);
      await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () ->
                  ProcessProbe.supervision(kairos, "lone").contains("\"restarts\":1")
                      && ProcessProbe.supervision(kairos, "lone").contains("\"ready\":1")
                      && hosts().size() == 2
                      && ok.get() >= atKill + 200);
    } finally {
      stop.set(true);
      CompletableFuture.allOf(streams.toArray(CompletableFuture[]::new)).get(90, TimeUnit.SECONDS);
      clients.shutdownNow();
    }
    System.out.printf(
        "kill -9 of a runtime host under load: %d answered 200, %d errors: %s%n",
        ok.get(), failures.size(), failures);
    // only requests the host had already taken when it died may fail: one per client at most
    assertThat(failures.size()).as("client-visible errors: %s", failures).isLessThanOrEqualTo(4);
    assertThat(hosts().stream().map(ProcessHandle::pid)).doesNotContain(victim);
    assertThat(ProcessProbe.supervision(kairos, "lone")).contains("its runtime host");
    assertThat(kairos.infer("lone", request, 30_000).statusCode()).isEqualTo(200);
    assertThat(kairos.infer("pair", request, 30_000).statusCode()).isEqualTo(200);
  }

  @Test
  @Order(4)
  void shouldUnloadAModelFromItsHostWhenItScalesToZeroAndLoadItAgainOnDemand() throws Exception {
    assertThat(kairos.infer("brief", request, 30_000).statusCode()).isEqualTo(200);
    List<Long> hostsBefore = hosts().stream().map(ProcessHandle::pid).toList();
    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () -> Pattern.compile("brief v1@host\\d+: unloaded").matcher(kairos.output()).find());
    assertThat(ProcessProbe.supervision(kairos, "brief")).contains("\"ready\":0");
    assertThat(hosts().stream().map(ProcessHandle::pid).toList()).isEqualTo(hostsBefore);
    assertThat(kairos.infer("brief", request, 30_000).statusCode()).isEqualTo(200);
  }

  @Test
  @Order(5)
  void shouldKillAndReplaceAHostThatStopsAnswering() throws Exception {
    long stuck = hostPid(hostOf("lone"));
    String before = ProcessProbe.supervision(kairos, "lone");
    Matcher m = Pattern.compile("\"restarts\":(\\d+)").matcher(before);
    assertThat(m.find()).as(before).isTrue();
    int restarts = Integer.parseInt(m.group(1));
    ProcessProbe.signal("STOP", stuck);
    try {
      await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () ->
                  ProcessProbe.supervision(kairos, "lone")
                          .contains("\"restarts\":" + (restarts + 1))
                      && ProcessProbe.supervision(kairos, "lone").contains("\"ready\":1")
                      && hosts().size() == 2
                      && hosts().stream().noneMatch(h -> h.pid() == stuck));
    } finally {
      if (ProcessHandle.of(stuck).map(ProcessHandle::isAlive).orElse(false)) {
        ProcessProbe.signal("CONT", stuck);
      }
    }
    assertThat(kairos.output()).containsPattern("runtime host \\d+: hung: \\d+ liveness probes");
    assertThat(kairos.infer("lone", request, 30_000).statusCode()).isEqualTo(200);
    assertThat(kairos.infer("pair", request, 30_000).statusCode()).isEqualTo(200);
  }

  /** Live runtime hosts of serve. */
  private List<ProcessHandle> hosts() {
    return kairos
        .process()
        .descendants()
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().commandLine().orElse("").contains("--shared-host"))
        .toList();
  }

  /** The number of the host that {@code model}'s latest replica was loaded into. */
  private int hostOf(String model) {
    Matcher m =
        Pattern.compile(model + " v1: ready \\(in runtime host (\\d+) ").matcher(kairos.output());
    int host = -1;
    while (m.find()) {
      host = Integer.parseInt(m.group(1));
    }
    assertThat(host).as("host of " + model).isPositive();
    return host;
  }

  private long hostPid(int number) {
    Matcher m = HOST_READY.matcher(kairos.output());
    while (m.find()) {
      if (Integer.parseInt(m.group(1)) == number) {
        return Long.parseLong(m.group(2));
      }
    }
    throw new AssertionError("no runtime host " + number + " in:\n" + kairos.output());
  }

  private void stream(
      String model, AtomicBoolean stop, AtomicInteger ok, ConcurrentLinkedQueue<String> failures) {
    while (!stop.get()) {
      HttpResponse<String> r = kairos.infer(model, request, 60_000);
      if (r.statusCode() == 200) {
        ok.incrementAndGet();
      } else {
        failures.add(model + ": " + r.statusCode() + " " + r.body());
      }
    }
  }
}
