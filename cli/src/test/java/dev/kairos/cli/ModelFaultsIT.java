package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models that go wrong next to one that works, on {@code kairos serve}: three that cannot load (a
 * corrupt ONNX file, a version without its artifact, a Java predictor whose {@code load} throws)
 * and one whose replica accepts requests and never answers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModelFaultsIT {
  private static final Path MLP = KairosProcess.HOME.resolve("examples/models/mlp");
  private static final String LOAD_FAILS =
      """
      public void load(ModelContext context) throws Exception {
        throw new IllegalStateException("weights.bin is corrupt (on purpose)");
      }
      public InferenceResponse predict(InferenceRequest request) {
        throw new UnsupportedOperationException();
      }
      """;
  private static final String HANGS =
      """
      public InferenceResponse predict(InferenceRequest request) throws Exception {
        new java.util.concurrent.CountDownLatch(1).await(); // never answers
        throw new IllegalStateException("unreachable");
      }
      """;

  private KairosProcess kairos;
  private String mlpRequest;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void serve(@TempDir Path repo) throws Exception {
    Files.createDirectories(repo.resolve("mlp/1"));
    Files.copy(MLP.resolve("model.yaml"), repo.resolve("mlp/model.yaml"));
    Files.copy(MLP.resolve("1/model.onnx"), repo.resolve("mlp/1/model.onnx"));
    Files.createDirectories(repo.resolve("corrupt/1"));
    byte[] onnx = Files.readAllBytes(MLP.resolve("1/model.onnx"));
    Files.write(
        repo.resolve("corrupt/1/model.onnx"), java.util.Arrays.copyOf(onnx, onnx.length / 3));
    Files.createDirectories(repo.resolve("missing/1"));
    Files.writeString(repo.resolve("missing/model.yaml"), "engine: onnxruntime\n");
    TestPredictors.write(repo, "loadfails", "LoadFails", LOAD_FAILS);
    TestPredictors.write(repo, "hangs", "Hangs", HANGS);
    mlpRequest = Files.readString(MLP.resolve("golden/request.json"));
    List<String> args = new ArrayList<>(List.of("--warm-pool", "0"));
    args.addAll(List.of(ProcessProbe.adminArgs()));
    kairos = KairosProcess.serve(repo, args.toArray(String[]::new));
  }

  @AfterAll
  void stop() throws InterruptedException {
    if (kairos != null) {
      kairos.close();
    }
  }

  @Test
  void shouldReportEachModelThatFailsToLoadWithItsReasonAndServeTheOthers() throws Exception {
    assertThat(ProcessProbe.admin(kairos, "/admin/models/corrupt"))
        .contains("\"state\":\"FAILED\"")
        .contains("no version of model 'corrupt' could be loaded: v1: ");
    assertThat(ProcessProbe.admin(kairos, "/admin/models/missing"))
        .contains("\"state\":\"FAILED\"")
        .contains("holds no onnxruntime artifact");
    assertThat(ProcessProbe.admin(kairos, "/admin/models/loadfails"))
        .contains("\"state\":\"FAILED\"")
        .contains(
            "the predictor failed to load: IllegalStateException: weights.bin is corrupt (on"
                + " purpose)");
    assertThat(ProcessProbe.admin(kairos, "/admin/models"))
        .containsPattern("\"name\":\"mlp\",\"state\":\"READY\"");
    // What its replica admits at once (maxQueueSize 256 + maxBatchSize 32 x 1 worker), so the
    // gateway refuses more than that before reading a body.
    assertThat(ProcessProbe.admin(kairos, "/admin/models/mlp")).contains("\"capacity\":288");
    assertThat(post("mlp", mlpRequest, 60_000).statusCode()).isEqualTo(200);
    HttpResponse<String> corrupt = post("corrupt", mlpRequest, 60_000);
    assertThat(corrupt.statusCode()).isEqualTo(503);
    assertThat(corrupt.body()).contains("failed to load");
  }

  @Test
  void shouldAnswerForAReplicaThatNeverAnswersAndLeakNoConnectionOrThread() throws Exception {
    long gateway = kairos.process().pid();
    int hangsPort = replicaPort("hangs");
    // warm up: every pool and thread the gateway makes on first use exists after this; the
    // requests time out while holding connections to the hung replica, which then must close
    int[] peak = {0};
    List<Integer> first = round(8, () -> ProcessProbe.connectionsTo(gateway, hangsPort), peak);
    assertThat(peak[0]).as("connections to the hung replica while requests wait").isPositive();
    int threadsBefore = ProcessProbe.threads(gateway);
    int fdsBefore = ProcessProbe.fileDescriptors(gateway);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> ProcessProbe.connectionsTo(gateway, hangsPort) == 0);

    List<Integer> codes = round(40, () -> 0, new int[1]);

    assertThat(first).allSatisfy(c -> assertThat(c).isIn(503, 504));
    assertThat(codes).hasSize(40).allSatisfy(c -> assertThat(c).isIn(503, 504));
    List<Integer> all = new ArrayList<>(first);
    all.addAll(codes);
    assertThat(all).as("timeouts first, then the open breaker answers at once").contains(504, 503);
    assertThat(ProcessProbe.admin(kairos, "/admin/models/hangs")).contains("\"breaker\":\"OPEN\"");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> ProcessProbe.connectionsTo(gateway, hangsPort) == 0);
    int threadsAfter = ProcessProbe.threads(gateway);
    int fdsAfter = ProcessProbe.fileDescriptors(gateway);
    System.out.printf(
        "hanging replica: 48 requests answered %s; gateway threads %d -> %d, fds %d -> %d,"
            + " connections to it peaked at %d while requests waited, 0 after%n",
        summary(all), threadsBefore, threadsAfter, fdsBefore, fdsAfter, peak[0]);
    assertThat(threadsAfter).isLessThanOrEqualTo(threadsBefore + 2);
    assertThat(fdsAfter).isLessThanOrEqualTo(fdsBefore + 4);
    assertThat(post("mlp", mlpRequest, 60_000).statusCode()).isEqualTo(200);
  }

  /** Sends {@code n} requests to the hanging model (300 ms deadline), 8 at once, and mlp's too. */
  private List<Integer> round(int n, java.util.concurrent.Callable<Integer> probe, int[] peak)
      throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try {
      List<CompletableFuture<Integer>> hung = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        hung.add(
            CompletableFuture.supplyAsync(
                () -> post("hangs", TestPredictors.request(), 300).statusCode(), clients));
      }
      CompletableFuture<Void> others =
          CompletableFuture.runAsync(
              () -> {
                for (int i = 0; i < 5; i++) {
                  HttpResponse<String> ok = post("mlp", mlpRequest, 60_000);
                  assertThat(ok.statusCode())
                      .as("mlp serves meanwhile: " + ok.body())
                      .isEqualTo(200);
                }
              });
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(5))
          .until(
              () -> {
                peak[0] = Math.max(peak[0], probe.call());
                return hung.stream().allMatch(CompletableFuture::isDone);
              });
      others.get(60, TimeUnit.SECONDS);
      List<Integer> codes = new ArrayList<>();
      for (CompletableFuture<Integer> f : hung) {
        codes.add(f.get(60, TimeUnit.SECONDS));
      }
      return codes;
    } finally {
      clients.shutdownNow();
    }
  }

  private static String summary(List<Integer> codes) {
    long t = codes.stream().filter(c -> c == 504).count();
    return t + " x 504 (timeout), " + (codes.size() - t) + " x 503 (breaker open)";
  }

  private int replicaPort(String model) throws Exception {
    Matcher m =
        Pattern.compile("\"endpoint\":\"127\\.0\\.0\\.1:(\\d+)\"")
            .matcher(ProcessProbe.admin(kairos, "/admin/models/" + model));
    assertThat(m.find()).as("a replica of " + model).isTrue();
    return Integer.parseInt(m.group(1));
  }

  private HttpResponse<String> post(String model, String body, long timeoutMs) {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create(kairos.url() + "/v2/models/" + model + "/infer"))
              .header("Content-Type", "application/json")
              .header("Kairos-Timeout-Ms", Long.toString(timeoutMs))
              .POST(HttpRequest.BodyPublishers.ofString(body))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException("request failed: " + e, e);
    }
  }
}
