package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bundle larger than the gateway's whole heap: {@code kairos deploy} (its own JVM held to 64 MiB)
 * packs a 600 MiB model and uploads it to a {@code kairos serve} whose JVM, the gateway of every
 * model, is held to 256 MiB. Both stream through files; had either held the bundle in its heap it
 * would have run out of memory. Meanwhile another model keeps answering, every request.
 */
class DeployLargeBundleIT {
  private static final String KEY = "large-bundle-it-key";
  private static final Path MLP = KairosProcess.HOME.resolve("examples/models/mlp");
  private static final long PADDING = 600L << 20;

  @TempDir Path repo;
  @TempDir Path work;
  private KairosProcess kairos;

  @AfterEach
  void stop() throws InterruptedException {
    if (kairos != null) {
      kairos.close();
    }
  }

  @Test
  void shouldDeployA600MiBBundleThroughA256MiBGatewayWhileOtherModelsKeepAnswering()
      throws Exception {
    Files.createDirectories(repo.resolve("steady/1"));
    Files.copy(MLP.resolve("model.yaml"), repo.resolve("steady/model.yaml"));
    Files.copy(MLP.resolve("1/model.onnx"), repo.resolve("steady/1/model.onnx"));
    Files.writeString(
        repo.resolve("steady/model.yaml"),
        Files.readString(repo.resolve("steady/model.yaml")).replace("name: mlp", "name: steady")
            + "scaling: {minReplicas: 1}\n");
    Path big = bigModel(work.resolve("big"));
    kairos =
        KairosProcess.serve(
            Map.of("KAIROS_JAVA_OPTS", "-Xmx256m -XX:+ExitOnOutOfMemoryError"),
            repo,
            "--admin-port",
            "0",
            "--admin-key",
            KEY,
            "--warm-pool",
            "0");
    Matcher admin = Pattern.compile("Admin API on (http://\\S+)").matcher(kairos.output());
    assertThat(admin.find()).as(kairos.output()).isTrue();
    byte[] request = Files.readAllBytes(MLP.resolve("golden/request.json"));

    AtomicBoolean deploying = new AtomicBoolean(true);
    List<Integer> statuses = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> steady =
        CompletableFuture.runAsync(
            () -> {
              HttpClient http = HttpClient.newHttpClient();
              while (deploying.get()) {
                statuses.add(infer(http, "steady", request));
              }
            });
    long started = System.nanoTime();
    ProcessBuilder cli =
        new ProcessBuilder(
                KairosProcess.HOME.resolve("kairos").toString(), "deploy", big.toString())
            .redirectErrorStream(true);
    cli.environment().put("KAIROS_SKIP_BUILD", "1");
    cli.environment().put("KAIROS_JAVA_OPTS", "-Xmx64m -XX:+ExitOnOutOfMemoryError");
    cli.environment().put("KAIROS_URL", kairos.url());
    cli.environment().put("KAIROS_ADMIN_URL", admin.group(1));
    cli.environment().put("KAIROS_ADMIN_KEY", KEY);
    Process deploy = cli.start();
    deploy.getOutputStream().close();
    String out = new String(deploy.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = deploy.waitFor();
    deploying.set(false);
    steady.join();

    assertThat(exit).as(out + "\n--- serve ---\n" + kairos.output()).isZero();
    assertThat(out).contains("big v1 is READY");
    System.out.println(
        "600 MiB deploy took "
            + (System.nanoTime() - started) / 1_000_000
            + " ms; steady answered "
            + statuses.size()
            + " requests meanwhile");
    assertThat(kairos.process().isAlive()).isTrue();
    assertThat(statuses).isNotEmpty().allMatch(s -> s == 200);
    assertThat(Files.size(repo.resolve("big/1/pad.bin"))).isEqualTo(PADDING);
    assertThat(infer(HttpClient.newHttpClient(), "big", request)).isEqualTo(200);
    try (Stream<Path> s = Files.list(repo)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("steady", "big");
    }
  }

  /** The mlp model plus 600 MiB of padding in its version folder (the repository allows files). */
  private static Path bigModel(Path dir) throws Exception {
    Files.createDirectories(dir.resolve("1"));
    Files.writeString(
        dir.resolve("model.yaml"),
        Files.readString(MLP.resolve("model.yaml")).replace("name: mlp", "name: big"));
    Files.copy(MLP.resolve("1/model.onnx"), dir.resolve("1/model.onnx"));
    byte[] block = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(dir.resolve("1/pad.bin"))) {
      for (long written = 0; written < PADDING; written += block.length) {
        block[0] = (byte) written; // not all zeros, so no layer can skip it as a hole
        out.write(block);
      }
    }
    return dir;
  }

  private int infer(HttpClient http, String model, byte[] body) {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create(kairos.url() + "/v2/models/" + model + "/infer"))
                  .timeout(Duration.ofSeconds(30))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (Exception e) {
      return -1;
    }
  }
}
