package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.sdk.client.CallOptions;
import dev.kairos.sdk.client.InferenceClient;
import dev.kairos.sdk.client.InferenceException.InvalidRequestException;
import dev.kairos.sdk.client.InferenceException.ModelNotFoundException;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.oip.OipJsonDecoder;
import dev.kairos.sdk.oip.OipJsonEncoder;
import dev.kairos.sdk.tensor.Tensor;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK's {@link InferenceClient} and {@code kairos predict} against a real {@code kairos serve}.
 */
class InferenceClientIT {
  private static final Path MLP = KairosProcess.HOME.resolve("examples/models/mlp");
  @TempDir static Path repo;
  private static KairosProcess kairos;
  private static InferenceClient client;

  @BeforeAll
  static void serve() throws IOException {
    copy(MLP, repo.resolve("mlp"));
    kairos = KairosProcess.serve(repo);
    client = InferenceClient.builder(URI.create(kairos.url())).build();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (kairos != null) {
      kairos.close();
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
  }

  private static InferenceRequest golden() throws IOException {
    return new OipJsonDecoder()
        .decodeRequest(Files.readAllBytes(MLP.resolve("golden/request.json")));
  }

  private static void assertGolden(InferenceResponse r) throws IOException {
    String body = new String(new OipJsonEncoder().encodeResponse(r), StandardCharsets.UTF_8);
    ServeEndToEndIT.assertMatchesGolden(
        "mlp", body, Files.readAllBytes(MLP.resolve("golden/response.json")));
  }

  @Test
  void shouldAnswerTheGoldenRequestInJsonAndInBinary() throws Exception {
    InferenceResponse json = client.infer("mlp", golden());
    InferenceResponse binary =
        client.infer("mlp", golden(), CallOptions.defaults().withBinary(true).withVersion("1"));

    assertThat(json.modelName()).isEqualTo("mlp");
    assertThat(json.id()).isEqualTo("golden-mlp");
    assertGolden(json);
    assertGolden(binary);
  }

  @Test
  void shouldAnswerConcurrentAsyncCalls() throws Exception {
    List<CompletableFuture<InferenceResponse>> calls = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      calls.add(client.inferAsync("mlp", golden()));
    }
    for (CompletableFuture<InferenceResponse> c : calls) {
      assertGolden(c.get(60, TimeUnit.SECONDS));
    }
  }

  @Test
  void shouldCarryTheServersMessageInTypedExceptions() {
    InferenceRequest wrong =
        InferenceRequest.of(Tensor.ofFloats("features", new long[] {1, 3}, 1f, 2f, 3f));

    assertThatThrownBy(() -> client.infer("mlp", wrong))
        .isInstanceOfSatisfying(
            InvalidRequestException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.serverMessage()).contains("input 'features'").contains("[1,3]");
            });
    assertThatThrownBy(() -> client.infer("no-such-model", wrong))
        .isInstanceOfSatisfying(
            ModelNotFoundException.class, e -> assertThat(e.status()).isEqualTo(404));
  }

  @Test
  void shouldPrintThePredictionWithTheCli() throws Exception {
    Process p = cli("predict", "mlp", "--input", MLP.resolve("golden/request.json").toString());
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(p.waitFor()).as(out).isZero();
    ServeEndToEndIT.assertMatchesGolden(
        "mlp", out.trim(), Files.readAllBytes(MLP.resolve("golden/response.json")));
  }

  @Test
  void shouldReportTheServersMessageFromTheCli(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.json");
    Files.writeString(
        bad,
        "{\"inputs\": [{\"name\": \"features\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [1]}]}");

    Process p = cli("predict", "mlp", "--input", bad.toString());
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(p.waitFor()).isEqualTo(1);
    assertThat(err).contains("HTTP 400").contains("input 'features'");
  }

  private static Process cli(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(KairosProcess.HOME.resolve("kairos").toString()));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--url", kairos.url()));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("KAIROS_SKIP_BUILD", "1");
    return pb.start();
  }
}
