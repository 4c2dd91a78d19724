package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kairos serve} places models itself: a light MLP and a heavy CNN, neither naming a device,
 * go on the machine's one CPU device; with {@code --device-sharing arbiter} serve starts that
 * device's arbiter and both replicas take their slices from it, and the console says where each
 * model is and why. The first load of each model measures its profile and stores it beside it.
 */
class PlacementServeIT {
  @TempDir Path repo;

  @Test
  void shouldPlaceBothModelsOnTheCpuDeviceAndStartItsArbiter() throws Exception {
    Path models = KairosProcess.HOME.resolve("examples/models");
    copy(models.resolve("mlp"), repo.resolve("mlp"));
    copy(models.resolve("cnn"), repo.resolve("cnn"));
    Files.writeString(repo.resolve("cnn/model.yaml"), "device: {kind: cpu, class: heavy}\n");
    String mlp = Files.readString(repo.resolve("mlp/golden/request.json"));
    String cnn = Files.readString(repo.resolve("cnn/golden/request.json"));
    String adminKey = java.util.UUID.randomUUID().toString();

    try (KairosProcess kairos =
        KairosProcess.serve(
            repo, "--admin-port", "0", "--admin-key", adminKey, "--device-sharing", "arbiter")) {
      assertThat(kairos.output())
          .contains("mlp v1: placed on cpu0 with cnn")
          .contains("cnn v1: placed on cpu0 with mlp")
          .contains("takes turns through the cpu0 arbiter");
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> light = kairos.post("/v2/models/mlp/infer", mlp);
        HttpResponse<String> heavy = kairos.post("/v2/models/cnn/infer", cnn);
        assertThat(light.statusCode()).as(light.body()).isEqualTo(200);
        assertThat(heavy.statusCode()).as(heavy.body()).isEqualTo(200);
      }

      JsonObject cpu0 = devices(kairos, adminKey).getJsonObject(0);
      assertThat(cpu0.getString("id")).isEqualTo("cpu0");
      assertThat(cpu0.getString("policy")).isEqualTo("deadline");
      assertThat(cpu0.getString("pinning")).startsWith("cores ");
      assertThat(cpu0.getJsonArray("models").getList()).containsExactly("cnn", "mlp");
      JsonArray slices = cpu0.getJsonArray("slices");
      assertThat(slices).hasSize(2);
      for (int i = 0; i < slices.size(); i++) {
        assertThat(slices.getJsonObject(i).getLong("granted")).isGreaterThanOrEqualTo(5);
      }
      JsonArray placed = cpu0.getJsonArray("placed");
      assertThat(placed).hasSize(2);
      StringBuilder reasons = new StringBuilder();
      for (int i = 0; i < placed.size(); i++) {
        JsonObject p = placed.getJsonObject(i);
        assertThat(p.getInteger("replicas")).as(p.encode()).isEqualTo(1);
        assertThat(p.getString("reason")).contains("predicted p99", "arbiter");
        reasons.append(p.getString("reason"));
      }
      // the first model the policy placed; the other it placed there, or, if it finds the pair
      // infeasible once their profiles are measured, serving put it on the one device left
      assertThat(reasons).contains("kairos-slo-aware placed it there");
    }
    // measured after each replica's ready line, on a thread of its own
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              assertThat(repo.resolve("mlp/profile.json")).exists();
              assertThat(repo.resolve("cnn/profile.json")).exists();
            });
  }

  @Test
  void shouldSpreadTheHostsOverTheCoreSetsAndLoadEachLightModelOnItsDevice() throws Exception {
    Path models = KairosProcess.HOME.resolve("examples/models");
    copy(models.resolve("mlp"), repo.resolve("mlp"));
    copy(models.resolve("cnn"), repo.resolve("cnn"));
    String mlp = Files.readString(repo.resolve("mlp/golden/request.json"));
    String cnn = Files.readString(repo.resolve("cnn/golden/request.json"));
    String adminKey = java.util.UUID.randomUUID().toString();

    try (KairosProcess kairos =
        KairosProcess.serve(
            repo,
            "--admin-port",
            "0",
            "--admin-key",
            adminKey,
            "--shared-hosts",
            "2",
            "--cpu-devices",
            "2")) {
      assertThat(kairos.output())
          .containsPattern("runtime host 1: ready \\(.*, on cpu0 cores \\d")
          .containsPattern("runtime host 2: ready \\(.*, on cpu1 cores \\d")
          .contains("mlp v1: ready (in runtime host", "cnn v1: ready (in runtime host");
      assertThat(kairos.post("/v2/models/mlp/infer", mlp).statusCode()).isEqualTo(200);
      assertThat(kairos.post("/v2/models/cnn/infer", cnn).statusCode()).isEqualTo(200);

      // each model's hosted replica is counted on the device placement put the model on
      JsonArray devices = devices(kairos, adminKey);
      int hosted = 0;
      for (int i = 0; i < devices.size(); i++) {
        JsonArray placed = devices.getJsonObject(i).getJsonArray("placed");
        for (int j = 0; j < placed.size(); j++) {
          assertThat(placed.getJsonObject(j).getInteger("replicas"))
              .as(devices.encode())
              .isEqualTo(1);
          hosted++;
        }
      }
      assertThat(hosted).as(devices.encode()).isEqualTo(2);
    }
  }

  private static JsonArray devices(KairosProcess kairos, String key) throws Exception {
    Matcher admin =
        Pattern.compile("Admin API on (http://127\\.0\\.0\\.1:\\d+)").matcher(kairos.output());
    assertThat(admin.find()).as(kairos.output()).isTrue();
    HttpResponse<String> r =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(admin.group(1) + "/admin/console/devices"))
                    .header("Authorization", "Bearer " + key)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonArray(r.body());
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
