package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.sdk.client.InferenceClient;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.oip.OipJsonDecoder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kairos deploy}, {@code kairos models} and {@code kairos predict} against a real {@code
 * kairos serve}: the Java example model goes into an empty repository and answers its golden
 * request; a broken one is refused with its cause and leaves the repository as it was.
 */
class DeployEndToEndIT {
  private static final Path LOGREG = KairosProcess.HOME.resolve("examples/models/logreg");
  private static final String KEY = "deploy-it-key";
  @TempDir static Path repo;
  @TempDir static Path work;
  private static KairosProcess kairos;
  private static String adminUrl;

  @BeforeAll
  static void serve() throws IOException {
    kairos =
        KairosProcess.serve(
            repo,
            "--admin-port",
            "0",
            "--admin-key",
            KEY,
            "--trust-java-predictors",
            "--shared-hosts",
            "1");
    Matcher m = Pattern.compile("Admin API on (http://\\S+)").matcher(kairos.output());
    assertThat(m.find()).as(kairos.output()).isTrue();
    adminUrl = m.group(1);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (kairos != null) {
      kairos.close();
    }
  }

  private record Run(int exit, String out, String err) {}

  private static Run cli(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(KairosProcess.HOME.resolve("kairos").toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("KAIROS_SKIP_BUILD", "1");
    pb.environment().put("KAIROS_URL", kairos.url());
    pb.environment().put("KAIROS_ADMIN_URL", adminUrl);
    pb.environment().put("KAIROS_ADMIN_KEY", KEY);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Run(p.waitFor(), out, err);
  }

  private static Path copy(Path from, Path to) throws IOException {
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
    return to;
  }

  @Test
  void shouldDeployAJavaModelThatThenAnswersItsGoldenRequest() throws Exception {
    Run deploy = cli("deploy", LOGREG.toString());

    assertThat(deploy.exit()).as(deploy.out() + deploy.err()).isZero();
    assertThat(deploy.out())
        .contains("Written to the model repository")
        .contains("logreg v1 is READY");
    assertThat(repo.resolve("logreg/1/logreg.jar")).exists();

    InferenceResponse r =
        InferenceClient.builder(URI.create(kairos.url()))
            .build()
            .infer(
                "logreg",
                new OipJsonDecoder()
                    .decodeRequest(Files.readAllBytes(LOGREG.resolve("golden/request.json"))));
    assertThat(r.output("label").orElseThrow().asStrings())
        .containsExactly("setosa", "versicolor", "virginica");

    Run models = cli("models");
    assertThat(models.out()).containsPattern("logreg\\s+READY\\s+1");
    Run predict =
        cli("predict", "logreg", "--input", LOGREG.resolve("golden/request.json").toString());
    assertThat(predict.out()).contains("\"setosa\",\"versicolor\",\"virginica\"");
  }

  @Test
  void shouldShareARuntimeHostWithAJavaPredictorThePlatformAcceptedWhenItAsks() throws Exception {
    Path sharing = copy(LOGREG, work.resolve("sharing"));
    Files.writeString(
        sharing.resolve("model.yaml"),
        Files.readString(sharing.resolve("model.yaml")) + "isolation: shared\n");

    Run deploy = cli("deploy", sharing.toString(), "--name", "sharing");

    assertThat(deploy.out()).as(deploy.err()).contains("sharing v1 is READY");
    String digest =
        dev.kairos.runtime.host.TrustedPredictors.sha256(repo.resolve("sharing/1/logreg.jar"));
    assertThat(Files.readString(repo.resolve(".trusted-predictors")))
        .contains(digest + "  sharing_v1");
    // the host read the digest the platform wrote after it started, and took the model
    assertThat(kairos.output()).contains("sharing v1: ready (in runtime host");
    InferenceResponse r =
        InferenceClient.builder(URI.create(kairos.url()))
            .build()
            .infer(
                "sharing",
                new OipJsonDecoder()
                    .decodeRequest(Files.readAllBytes(LOGREG.resolve("golden/request.json"))));
    assertThat(r.output("label").orElseThrow().asStrings())
        .containsExactly("setosa", "versicolor", "virginica");
  }

  @Test
  void shouldReportWhyAVersionFailedToLoadAndTakeItBackOut() throws Exception {
    Path broken = copy(LOGREG, work.resolve("broken"));
    Files.writeString(
        broken.resolve("model.yaml"),
        Files.readString(broken.resolve("model.yaml"))
            .replace("LogisticRegression", "NoSuchClass"));

    Run deploy = cli("deploy", broken.toString(), "--name", "broken");

    assertThat(deploy.exit()).isEqualTo(1);
    assertThat(deploy.err())
        .contains("model 'broken' v1 failed to load")
        .contains("dev.kairos.examples.logreg.NoSuchClass' not found")
        .contains("taken back out of the repository");
    assertThat(repo.resolve("broken")).doesNotExist();
  }

  @Test
  void shouldKeepTrafficWeightsSetThroughTheAdminApiWhenTheRepositoryIsReadAgain()
      throws Exception {
    for (int v = 1; v <= 2; v++) {
      Run deploy = cli("deploy", LOGREG.toString(), "--name", "canary");
      assertThat(deploy.out()).as(deploy.err()).contains("canary v" + v + " is READY");
    }

    HttpResponse<String> set = admin("PUT", "/admin/models/canary/traffic", "{\"1\":70,\"2\":30}");
    assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
    String yaml = Files.readString(repo.resolve("canary/model.yaml"));
    assertThat(yaml).contains("traffic: {\"1\": 70, \"2\": 30}");

    // a split model.yaml would refuse is refused, and nothing changes
    HttpResponse<String> bad = admin("PUT", "/admin/models/canary/traffic", "{\"1\":50,\"2\":20}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("traffic weights add up to 70, must add up to 100");
    assertThat(repo.resolve("canary/model.yaml")).hasContent(yaml);

    // load reads the model from the repository again, as a restart does
    HttpResponse<String> reload = admin("POST", "/admin/models/canary/load", "");
    assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
    HttpResponse<String> now = admin("GET", "/admin/models/canary/traffic", null);
    Map<String, Integer> weights = new TreeMap<>();
    Json.read(now.body())
        .fields()
        .forEachRemaining(e -> weights.put(e.getKey(), e.getValue().asInt()));
    assertThat(weights).isEqualTo(Map.of("1", 70, "2", 30));
  }

  private static HttpResponse<String> admin(String method, String path, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(adminUrl + path))
            .header("Authorization", "Bearer " + KEY)
            .header("Content-Type", "application/json");
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
