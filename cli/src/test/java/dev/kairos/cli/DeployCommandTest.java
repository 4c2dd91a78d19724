package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.cli.deploy.BundleInstaller;
import dev.kairos.cli.deploy.DeployEndpoint;
import dev.kairos.cli.deploy.PredictorTrust;
import dev.kairos.gateway.admin.AdminOptions;
import dev.kairos.gateway.admin.AdminServer;
import dev.kairos.gateway.admin.ModelStatus;
import dev.kairos.gateway.admin.PlatformControl;
import dev.kairos.gateway.auth.ApiKeyStore;
import dev.kairos.gateway.auth.ApiKeys;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelRepository;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code kairos deploy} against a real admin server with the deploy endpoint installed. The
 * platform behind it reads the real repository and loads a model when its {@code model.yaml} does
 * not ask to fail: the replica processes themselves are covered by the end-to-end tests.
 */
class DeployCommandTest {
  private static final String KEY = "test-admin-key";

  @TempDir Path repo;
  @TempDir Path work;
  private Vertx vertx;
  private AdminServer admin;
  private final List<String> loads = new CopyOnWriteArrayList<>();

  /** Loads what the repository holds; a model whose options say {@code fail: ...} fails so. */
  private final class RepositoryPlatform implements PlatformControl {
    @Override
    public List<ModelStatus> models() {
      return new ModelRepository(repo).scan().stream().map(d -> model(d.name())).toList();
    }

    @Override
    public ModelStatus model(String name) {
      ModelDirectory d = ModelRepository.read(repo.resolve(name));
      List<String> versions = d.versions().stream().map(v -> v.version()).toList();
      String fail = d.ok() ? d.config().options().get("fail") : d.error();
      return new ModelStatus(
          name,
          fail == null ? ModelStatus.State.READY : ModelStatus.State.FAILED,
          fail,
          versions,
          Map.of(),
          Map.of());
    }

    @Override
    public CompletionStage<ModelStatus> load(String name) {
      loads.add(name);
      return CompletableFuture.completedFuture(model(name));
    }

    @Override
    public CompletionStage<Void> unload(String name) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public Map<String, Integer> setTraffic(String model, Map<String, Integer> weights) {
      return weights;
    }

    @Override
    public Map<String, Object> scaling(String model) {
      return Map.of();
    }

    @Override
    public Map<String, Object> setScaling(String model, Map<String, Object> changes) {
      return changes;
    }
  }

  @BeforeEach
  void start() {
    vertx = Vertx.vertx(ServeCommand.vertxOptions());
    PlatformControl platform = new RepositoryPlatform();
    ApiKeys keys =
        new ApiKeys(List.of(ApiKeys.parseLine("admin " + ApiKeys.sha256Hex(KEY) + " admin")));
    admin =
        new AdminServer(
                vertx,
                AdminOptions.defaults().withPort(0),
                platform,
                new RouteTable(),
                ApiKeyStore.fixed(keys))
            .install(
                new DeployEndpoint(
                    vertx,
                    new BundleInstaller(repo, 1 << 24, 1000, PredictorTrust.all()),
                    platform,
                    1 << 24));
    admin.listen().toCompletionStage().toCompletableFuture().join();
  }

  @AfterEach
  void stop() {
    admin.close().toCompletionStage().toCompletableFuture().join();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  private Path model(String yamlExtra) throws Exception {
    Path dir = work.resolve("hello");
    Files.createDirectories(dir.resolve("1"));
    Files.writeString(
        dir.resolve("model.yaml"),
        "name: hello\nengine: java\n"
            + "inputs: [{name: x, datatype: FP32, shape: [-1]}]\n"
            + "outputs: [{name: y, datatype: FP32, shape: [-1]}]\n"
            + yamlExtra);
    Files.writeString(dir.resolve("1/hello.jar"), "jar bytes");
    return dir;
  }

  private record Run(int exit, String out, String err) {}

  private Run deploy(String... args) {
    return run(new DeployCommand(), args);
  }

  private Run run(Object command, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      List<String> all = new java.util.ArrayList<>(List.of(args));
      all.addAll(List.of("--admin-url", "http://127.0.0.1:" + admin.port()));
      if (!all.contains("--admin-key")) {
        all.addAll(List.of("--admin-key-file", keyFile().toString()));
      }
      int exit = new CommandLine(command).execute(all.toArray(String[]::new));
      return new Run(
          exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  private java.net.http.HttpResponse<String> postBundle(String contentType, byte[] body)
      throws Exception {
    // HTTP/1.1, as kairos deploy sends: an h2c upgrade with a body this large is refused.
    return java.net.http.HttpClient.newBuilder()
        .version(java.net.http.HttpClient.Version.HTTP_1_1)
        .build()
        .send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(
                        "http://127.0.0.1:" + admin.port() + DeployEndpoint.PATH + "?name=hello"))
                .header("Authorization", "Bearer " + KEY)
                .header("Content-Type", contentType)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldRefuseAFormBodyAndAnOversizeBundleWithAMessage() throws Exception {
    java.net.http.HttpResponse<String> form =
        postBundle("application/x-www-form-urlencoded", "a=1".repeat(100_000).getBytes());
    assertThat(form.statusCode()).isEqualTo(415);
    assertThat(form.body()).contains("\"error\"").contains("application/zip");

    java.net.http.HttpResponse<String> big = postBundle("application/zip", new byte[(1 << 24) + 1]);
    assertThat(big.statusCode()).isEqualTo(413);
    assertThat(big.body()).contains("\"error\"").contains("at most 16777216");
    assertThat(repo.resolve("hello")).doesNotExist();
  }

  /** Opens a raw connection to the deploy endpoint and sends the request head. */
  private java.net.Socket upload(String headers) throws Exception {
    java.net.Socket socket = new java.net.Socket("127.0.0.1", admin.port());
    socket.setSoTimeout(30_000);
    socket
        .getOutputStream()
        .write(
            ("POST "
                    + DeployEndpoint.PATH
                    + "?name=hello HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + KEY
                    + "\r\nContent-Type: application/zip\r\n"
                    + headers
                    + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    return socket;
  }

  /** What the repository holds besides models: uploads, staging folders. */
  private List<String> hidden() throws Exception {
    return dev.kairos.cli.deploy.Leftovers.in(repo);
  }

  @Test
  void shouldRefuseAChunkedBundleAsSoonAsItPassesTheLimitAndDeleteWhatWasReceived()
      throws Exception {
    try (java.net.Socket socket = upload("Transfer-Encoding: chunked\r\n")) {
      // no Content-Length: only counting the body as it streams in can find it too large
      CompletableFuture<Void> sending =
          CompletableFuture.runAsync(
              () -> {
                byte[] chunk = new byte[1 << 20];
                String size = Integer.toHexString(chunk.length) + "\r\n";
                try {
                  java.io.OutputStream out = socket.getOutputStream();
                  for (int i = 0; i < 17; i++) { // 17 MiB against a 16 MiB limit
                    out.write(size.getBytes(StandardCharsets.US_ASCII));
                    out.write(chunk);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                  }
                  out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                  out.flush();
                } catch (java.io.IOException closedByTheServer) {
                  // expected once the server has answered and closed
                }
              });
      String answer =
          new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      sending.join();

      assertThat(answer)
          .startsWith("HTTP/1.1 413")
          .contains("larger than 16777216 bytes, the most this platform accepts");
    }
    org.awaitility.Awaitility.await().untilAsserted(() -> assertThat(hidden()).isEmpty());
    assertThat(repo.resolve("hello")).doesNotExist();
  }

  @Test
  void shouldDeleteThePartialUploadWhenTheClientGoesAway() throws Exception {
    try (java.net.Socket socket = upload("Content-Length: 8388608\r\n")) {
      socket.getOutputStream().write(new byte[1 << 20]);
      socket.getOutputStream().flush();
      // the body is being written to a file of the repository, not into the heap
      org.awaitility.Awaitility.await()
          .untilAsserted(
              () ->
                  assertThat(hidden())
                      .singleElement()
                      .satisfies(n -> assertThat(n).startsWith(".deploy-upload-")));
    }
    org.awaitility.Awaitility.await().untilAsserted(() -> assertThat(hidden()).isEmpty());
    assertThat(loads).isEmpty();
  }

  @Test
  void shouldDeleteTheUploadOfABundleThatIsNotAZip() throws Exception {
    java.net.http.HttpResponse<String> r = postBundle("application/zip", new byte[4096]);

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("not a zip");
    assertThat(hidden()).isEmpty();
  }

  @Test
  void shouldWriteTheVersionAndLoadItShowingProgress() throws Exception {
    Run r = deploy(model("").toString());

    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains("Packed")
        .contains("Written to the model repository")
        .contains("hello v1 is READY");
    assertThat(repo.resolve("hello/1/hello.jar")).hasContent("jar bytes");
    assertThat(loads).containsExactly("hello");
  }

  private Path keyFile() {
    try {
      return Files.writeString(work.resolve("admin-key"), KEY + "\n");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void shouldTakeTheKeyFromTheFlagButWarnThatPsShowsIt() throws Exception {
    deploy(model("").toString());

    Run flag = run(new ModelsCommand(), "--admin-key", KEY);
    assertThat(flag.exit()).as(flag.err()).isZero();
    assertThat(flag.out()).contains("hello");
    assertThat(flag.err())
        .contains("Warning: --admin-key puts the secret on the command line")
        .contains("KAIROS_ADMIN_KEY")
        .doesNotContain(KEY);

    Run file = run(new ModelsCommand());
    assertThat(file.exit()).as(file.err()).isZero();
    assertThat(file.err()).doesNotContain("Warning");
  }

  @Test
  void shouldListTheDeployedModels() throws Exception {
    deploy(model("").toString());
    deploy(model("").toString());

    Run r = run(new ModelsCommand());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("MODEL").containsPattern("hello\\s+READY\\s+1,2\\s+latest\\s+0");
  }

  @Test
  void shouldDeployTheNextVersionUnderAnotherName() throws Exception {
    deploy(model("").toString(), "--name", "hello-b");
    Run r = deploy(model("").toString(), "--name", "hello-b");

    assertThat(r.out()).contains("hello-b v2 is READY");
    assertThat(ModelRepository.read(repo.resolve("hello-b")).versions()).hasSize(2);
  }

  @Test
  void shouldReportALoadFailureWithItsCauseAndTakeTheVersionBackOut() throws Exception {
    Run r = deploy(model("options: {fail: \"class com.example.Nope not found\"}\n").toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .contains("model 'hello' v1 failed to load: class com.example.Nope not found")
        .contains("taken back out of the repository");
    assertThat(repo.resolve("hello")).doesNotExist();
  }

  @Test
  void shouldCheckModelYamlBeforeUploading() throws Exception {
    Run r = deploy(model("batching: {maxBatchSize: 0}\n").toString());

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("batching.maxBatchSize = 0");
    assertThat(loads).isEmpty();
  }

  @Test
  void shouldReportABundleTheRepositoryRefuses() throws Exception {
    Path dir = model("");
    Files.delete(dir.resolve("1/hello.jar"));
    Files.writeString(dir.resolve("1/readme.txt"), "no jar here");

    Run r = deploy(dir.toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("HTTP 400").contains("holds no java artifact");
    assertThat(repo.resolve("hello")).doesNotExist();
  }

  @Test
  void shouldRefuseAVersionThatExists() throws Exception {
    deploy(model("").toString());
    Run r = deploy(model("").toString(), "--version", "1");

    assertThat(r.err()).contains("HTTP 409").contains("already has version 1");
  }

  @Test
  void shouldNeedTheAdminKey() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream old = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int exit;
    try {
      exit =
          new CommandLine(new DeployCommand())
              .execute(
                  model("").toString(),
                  "--admin-url",
                  "http://127.0.0.1:" + admin.port(),
                  "--admin-key",
                  "wrong");
    } finally {
      System.setErr(old);
    }

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("HTTP 40");
    assertThat(repo.resolve("hello")).doesNotExist();
  }
}
