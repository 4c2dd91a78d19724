package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kairos serve} with two models on one shared device: a light MLP and a heavy CNN name the
 * same {@code device.shared}, so serve starts that device's arbiter and both replicas ask it for a
 * slice before every batch.
 */
class SharedDeviceIT {
  @TempDir Path repo;

  @Test
  void bothModelsShouldRunUnderTheSharedDevicesArbiter() throws Exception {
    Path models = KairosProcess.HOME.resolve("examples/models");
    copy(models.resolve("mlp"), repo.resolve("mlp"));
    copy(models.resolve("cnn"), repo.resolve("cnn"));
    Files.writeString(
        repo.resolve("mlp/model.yaml"),
        Files.readString(repo.resolve("mlp/model.yaml"))
            + "\ndevice: {kind: cpu, class: light, shared: cpu0}\n");
    Files.writeString(
        repo.resolve("cnn/model.yaml"), "device: {kind: cpu, class: heavy, shared: cpu0}\n");
    String mlp = Files.readString(repo.resolve("mlp/golden/request.json"));
    String cnn = Files.readString(repo.resolve("cnn/golden/request.json"));

    String adminKey = java.util.UUID.randomUUID().toString();
    KairosProcess kairos = KairosProcess.serve(repo, "--admin-port", "0", "--admin-key", adminKey);
    try {
      assertThat(kairos.output())
          .contains("mlp v1: shares device cpu0 as a light model")
          .contains("cnn v1: shares device cpu0 as a heavy model");
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> light = kairos.post("/v2/models/mlp/infer", mlp);
        HttpResponse<String> heavy = kairos.post("/v2/models/cnn/infer", cnn);
        assertThat(light.statusCode()).as(light.body()).isEqualTo(200);
        assertThat(heavy.statusCode()).as(heavy.body()).isEqualTo(200);
      }
      assertConsoleShowsTheArbitersStatistics(kairos, adminKey);
    } finally {
      // SIGTERM, keeping the output stream open: serve prints each shared device's arbiter summary
      kairos.process().toHandle().destroy();
    }
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> kairos.output().contains("device cpu0: arbiter granted"));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("no arbiter summary in:\n" + kairos.output(), e);
    }
    kairos.close();
    Matcher m =
        Pattern.compile("device cpu0: arbiter granted (\\d+) slices, rejected (\\d+)")
            .matcher(kairos.output());
    assertThat(m.find()).as(kairos.output()).isTrue();
    // ten requests sent one at a time: ten batches, each granted a slice
    assertThat(Integer.parseInt(m.group(1))).isGreaterThanOrEqualTo(10);
    assertThat(Integer.parseInt(m.group(2))).isZero();
  }

  /** The console's Devices data: both models on cpu0, each with the slices its arbiter granted. */
  private static void assertConsoleShowsTheArbitersStatistics(KairosProcess kairos, String key)
      throws Exception {
    Matcher admin =
        Pattern.compile("Admin API on (http://127\\.0\\.0\\.1:\\d+)").matcher(kairos.output());
    assertThat(admin.find()).as(kairos.output()).isTrue();
    assertThat(kairos.output()).contains("Console on " + admin.group(1) + "/console/");
    HttpResponse<String> r =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(admin.group(1) + "/admin/console/devices"))
                    .header("Authorization", "Bearer " + key)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    io.vertx.core.json.JsonObject cpu0 =
        new io.vertx.core.json.JsonArray(r.body()).getJsonObject(0);
    assertThat(cpu0.getString("id")).isEqualTo("cpu0");
    assertThat(cpu0.getString("policy")).isEqualTo("deadline");
    assertThat(cpu0.getJsonArray("models").getList()).containsExactly("cnn", "mlp");
    assertThat(cpu0.getLong("memoryUsedBytes")).isPositive();
    io.vertx.core.json.JsonArray slices = cpu0.getJsonArray("slices");
    assertThat(slices).hasSize(2);
    for (int i = 0; i < slices.size(); i++) {
      assertThat(slices.getJsonObject(i).getLong("granted")).as(r.body()).isGreaterThanOrEqualTo(5);
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
}
