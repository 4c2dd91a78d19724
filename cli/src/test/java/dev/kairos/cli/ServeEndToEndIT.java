package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kairos.runtime.engine.EngineRegistry;
import dev.kairos.runtime.engine.ModelLoadException;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelRepository;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.oip.OipJsonDecoder;
import dev.kairos.sdk.tensor.Tensor;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./kairos serve} on the example models: real child processes, real sockets. */
class ServeEndToEndIT {
  private static final Path EXAMPLES = KairosProcess.HOME.resolve("examples/models");
  private static final OipJsonDecoder DECODER = new OipJsonDecoder();
  private static KairosProcess kairos;

  @BeforeAll
  static void serve() throws IOException {
    kairos = KairosProcess.serve(EXAMPLES);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (kairos != null) {
      kairos.close();
    }
  }

  static List<Path> goldenModels() throws IOException {
    try (Stream<Path> s = Files.list(EXAMPLES)) {
      return s.filter(p -> Files.exists(p.resolve("golden/request.json")))
          .filter(ServeEndToEndIT::engineAvailable)
          .sorted()
          .toList();
    }
  }

  /**
   * Whether this build has the model's engine: the Java example models (engine {@code java}) join
   * this test once the java engine is on the class path.
   */
  private static boolean engineAvailable(Path model) {
    ModelDirectory d = ModelRepository.read(model);
    try {
      EngineRegistry.discover().get(d.ok() ? d.config().engine() : "onnxruntime");
      return true;
    } catch (ModelLoadException e) {
      return false;
    }
  }

  @Test
  void shouldAnswerEveryGoldenRequestWithTheGoldenOutput() throws Exception {
    List<Path> models = goldenModels();
    assertThat(models).extracting(p -> p.getFileName().toString()).contains("mlp", "cnn");
    for (Path model : models) {
      String name = model.getFileName().toString();
      HttpResponse<String> r =
          kairos.post(
              "/v2/models/" + name + "/infer",
              Files.readString(model.resolve("golden/request.json")));
      assertThat(r.statusCode()).as(name + ": " + r.body()).isEqualTo(200);
      assertMatchesGolden(
          name, r.body(), Files.readAllBytes(model.resolve("golden/response.json")));
    }
  }

  /**
   * Relative error at most 1e-5; magnitudes below 1e-3 are compared against 1e-3, since engines
   * legitimately differ in the last bits of values near zero.
   */
  static void assertMatchesGolden(String model, String body, byte[] golden) {
    InferenceResponse got = DECODER.decodeResponse(body.getBytes(StandardCharsets.UTF_8));
    InferenceResponse want = DECODER.decodeResponse(golden);
    assertThat(got.outputs()).as(model).hasSameSizeAs(want.outputs());
    for (Tensor w : want.outputs()) {
      Tensor g =
          got.output(w.name())
              .orElseThrow(() -> new AssertionError(model + ": no output " + w.name()));
      assertThat(g.shape()).as(model + " " + w.name()).containsExactly(w.shape());
      if (w.datatype() == dev.kairos.sdk.tensor.DataType.BYTES) {
        assertThat(g.asStrings()).as(model + " " + w.name()).isEqualTo(w.asStrings());
        continue;
      }
      double[] a = g.asDoubleArray();
      double[] b = w.asDoubleArray();
      for (int i = 0; i < b.length; i++) {
        double rel = Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-3);
        assertThat(rel)
            .as("%s %s[%d]: got %s, golden %s", model, w.name(), i, a[i], b[i])
            .isLessThanOrEqualTo(1e-5);
      }
    }
  }

  @Test
  void shouldAnswer400NamingTheInputAndKeepServing() throws Exception {
    String sixteen = "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]";
    assertError(
        kairos.post(
            "/v2/models/mlp/infer",
            input("[1,15]", "FP32", "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]")),
        400,
        "input 'features': expected shape [-1,16], got [1,15]");
    assertError(
        kairos.post("/v2/models/mlp/infer", input("[1,16]", "FP64", sixteen)),
        400,
        "input 'features': expected datatype FP32, got FP64");
    assertError(
        kairos.post("/v2/models/mlp/infer", input("[1,16]", "FP32", "[1,2,3]")),
        400,
        "input 'features': shape [1,16] needs 16 elements, data has 3");
    assertError(
        kairos.post("/v2/models/mlp/infer", "{\"inputs\": [{\"name\": "), 400, "malformed JSON");
    assertError(
        kairos.post(
            "/v2/models/mlp/infer",
            "{\"inputs\":[{\"name\":\"nope\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}]}"),
        400,
        "unknown input 'nope'");
    assertError(
        kairos.post("/v2/models/no-such-model/infer", input("[1,16]", "FP32", sixteen)),
        404,
        "unknown model 'no-such-model'");
    assertError(
        kairos.post("/v2/models/mlp/versions/9/infer", input("[1,16]", "FP32", sixteen)),
        404,
        "has no version '9'");
    HttpResponse<String> ok = kairos.post("/v2/models/mlp/infer", input("[1,16]", "FP32", sixteen));
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
  }

  @Test
  void shouldServeHealthAndMetadata() throws Exception {
    assertThat(kairos.get("/v2/health/live").statusCode()).isEqualTo(200);
    assertThat(kairos.get("/v2/health/ready").statusCode()).isEqualTo(200);
    assertThat(kairos.get("/v2").body()).contains("\"extensions\"");
    HttpResponse<String> meta = kairos.get("/v2/models/cnn");
    assertThat(meta.statusCode()).isEqualTo(200);
    // cnn has no model.yaml: its signature comes from the ONNX file.
    assertThat(meta.body())
        .contains("\"platform\":\"onnx_onnxv1\"")
        .contains("{\"name\":\"image\",\"datatype\":\"FP32\",\"shape\":[-1,3,32,32]}");
    assertThat(kairos.get("/v2/models/cnn/ready").statusCode()).isEqualTo(200);
  }

  @Test
  void shouldServeAnyOnnxRepositoryAndReportBrokenModelsWhileServingTheOthers(@TempDir Path repo)
      throws Exception {
    Path onnx = EXAMPLES.resolve("mlp/1/model.onnx");
    Files.createDirectories(repo.resolve("scorer/1"));
    Files.createDirectories(repo.resolve("scorer/2"));
    Files.copy(onnx, repo.resolve("scorer/1/model.onnx"));
    Files.copy(onnx, repo.resolve("scorer/2/model.onnx"));
    Files.createDirectories(repo.resolve("broken/1"));
    Files.copy(onnx, repo.resolve("broken/1/model.onnx"));
    Files.writeString(repo.resolve("broken/model.yaml"), "batching: {maxBatchSize: 0}\n");
    try (KairosProcess other = KairosProcess.serve(repo)) {
      assertThat(other.output())
          .contains(
              "broken: FAILED: "
                  + repo.resolve("broken/model.yaml")
                  + ": batching.maxBatchSize = 0");
      String request = Files.readString(EXAMPLES.resolve("mlp/golden/request.json"));
      byte[] golden = Files.readAllBytes(EXAMPLES.resolve("mlp/golden/response.json"));
      for (String path : List.of("/v2/models/scorer/infer", "/v2/models/scorer/versions/1/infer")) {
        HttpResponse<String> r = other.post(path, request);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertMatchesGolden("scorer", r.body(), golden);
      }
      assertThat(other.post("/v2/models/scorer/infer", request).body())
          .contains("\"model_version\":\"2\"");
      assertError(
          other.post("/v2/models/broken/infer", request),
          503,
          "batching.maxBatchSize = 0, must be between 1 and 4096");
    }
  }

  @Test
  void shouldLeaveNoChildProcessBehindWhenStopped() throws Exception {
    KairosProcess k = KairosProcess.serve(EXAMPLES);
    List<ProcessHandle> children = k.process().descendants().toList();
    assertThat(children).as("replica processes").hasSizeGreaterThanOrEqualTo(2);
    k.close();
    assertThat(k.process().exitValue()).isNotNegative();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(children).noneMatch(ProcessHandle::isAlive));
  }

  private static String input(String shape, String datatype, String data) {
    return "{\"inputs\":[{\"name\":\"features\",\"shape\":"
        + shape
        + ",\"datatype\":\""
        + datatype
        + "\",\"data\":"
        + data
        + "}]}";
  }

  private static void assertError(HttpResponse<String> r, int status, String message) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(DECODER.decodeError(r.body().getBytes(StandardCharsets.UTF_8))).contains(message);
  }
}
