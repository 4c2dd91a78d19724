package dev.kairos.cli;

import dev.kairos.runtime.RuntimeMain;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelRepository;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.OipJsonDecoder;
import dev.kairos.sdk.oip.OipJsonEncoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * The training run behind Kairos's class-data-sharing archive ({@code cli/target/kairos.jsa}). The
 * build runs it once under {@code -XX:ArchiveClassesAtExit}: it builds every CLI command's options
 * and help, then starts a runtime replica in this process, exactly as {@link RuntimeMain} does, and
 * has it answer a binary-extension and a JSON request, then the JSON request again through a
 * gateway that holds it at zero as {@code kairos serve}'s does. The JVM then archives every class
 * both kinds of process load on their way to work; {@code ./kairos} and the replicas {@code kairos
 * serve} starts map the archive instead of loading, verifying and linking those classes again.
 *
 * <pre>
 * java -XX:ArchiveClassesAtExit=cli/target/kairos.jsa -cp cli/target/kairos-cli.jar \
 *     dev.kairos.cli.ClassArchiveTraining MODEL_DIR
 * </pre>
 *
 * MODEL_DIR is a model directory with a {@code golden/request.json} (the build uses the mlp
 * example). Exits 0 once both answers came back, 1 when something failed.
 */
final class ClassArchiveTraining {
  private ClassArchiveTraining() {}

  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: ClassArchiveTraining MODEL_DIR");
      System.exit(2);
    }
    try {
      train(Path.of(args[0]));
      System.exit(0);
    } catch (Exception | Error e) {
      System.err.println("class-data-sharing training failed: " + e);
      System.exit(1);
    }
  }

  private static void train(Path dir) throws Exception {
    cli();
    ModelDirectory model = ModelRepository.read(dir);
    if (!model.ok()) {
      throw new IllegalArgumentException(model.error());
    }
    InferenceRequest golden =
        new OipJsonDecoder()
            .decodeRequest(Files.readAllBytes(dir.resolve("golden").resolve("request.json")));
    PrintStream stdout = System.out;
    ReadyLine ready = new ReadyLine();
    System.setOut(new PrintStream(ready, true, StandardCharsets.UTF_8));
    RuntimeMain.main(new String[] {"--model-dir", dir.toString(), "--cores", "1"});
    int port = ready.port.get(120, TimeUnit.SECONDS);
    System.setOut(stdout);
    String url = "http://127.0.0.1:" + port + "/v2/models/" + model.name() + "/infer";
    InferenceRequest binary =
        new InferenceRequest(
            null, Map.of("binary_data_output", true), golden.inputs(), golden.outputs());
    Set<String> names = new HashSet<>();
    golden.inputs().forEach(t -> names.add(t.name()));
    OipJsonEncoder.Encoded encoded = new OipJsonEncoder().encodeRequest(binary, names);
    post(url, encoded.body(), encoded.jsonLength());
    post(url, new OipJsonEncoder().encodeRequest(golden), -1);
    throughGateway(model, port, new OipJsonEncoder().encodeRequest(golden));
  }

  /**
   * The same request as {@code kairos serve} takes it to a model at zero: into a gateway, held by
   * its activator, released once the replica is routed and forwarded to it. The gateway's front,
   * pipeline, activator and HTTP client are then in the archive too, and a serve's first requests
   * do not load them from the jar.
   */
  private static void throughGateway(ModelDirectory model, int replicaPort, byte[] body)
      throws IOException {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx(ServeCommand.vertxOptions());
    try {
      dev.kairos.gateway.route.RouteTable routes = new dev.kairos.gateway.route.RouteTable();
      String version = model.latest().version();
      routes.model(model.name()).version(version);
      routes.model(model.name()).markReady();
      dev.kairos.gateway.activator.Activator activator =
          new dev.kairos.gateway.activator.Activator(
              vertx,
              routes,
              dev.kairos.gateway.activator.ActivatorOptions.defaults(),
              (m, v, held) ->
                  routes
                      .model(m)
                      .version(version)
                      .add(
                          new dev.kairos.gateway.route.Replica(
                              m + " v" + version, "127.0.0.1", replicaPort)));
      dev.kairos.gateway.Gateway gateway =
          new dev.kairos.gateway.Gateway(
              vertx,
              dev.kairos.gateway.GatewayOptions.defaults().withHost("127.0.0.1").withPort(0),
              routes,
              dev.kairos.gateway.auth.ApiKeyStore.fixed(dev.kairos.gateway.auth.ApiKeys.none()),
              dev.kairos.sdk.time.Clock.system(),
              activator);
      int port = gateway.listen().toCompletionStage().toCompletableFuture().join();
      post("http://127.0.0.1:" + port + "/v2/models/" + model.name() + "/infer", body, -1);
      activator.close();
      gateway.close().toCompletionStage().toCompletableFuture().join();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }

  /** The CLI's start: every command's options parsed into a model and its help laid out. */
  private static void cli() {
    CommandLine cli = new CommandLine(new KairosCli());
    PrintWriter sink = new PrintWriter(OutputStream.nullOutputStream());
    cli.usage(sink);
    for (CommandLine sub : cli.getSubcommands().values()) {
      sub.usage(sink);
    }
    sink.flush();
  }

  private static void post(String url, byte[] body, int jsonLength) throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
    c.setRequestMethod("POST");
    c.setDoOutput(true);
    c.setRequestProperty(
        "Content-Type", jsonLength >= 0 ? "application/octet-stream" : "application/json");
    if (jsonLength >= 0) {
      c.setRequestProperty("Inference-Header-Content-Length", Integer.toString(jsonLength));
    }
    c.getOutputStream().write(body);
    int status = c.getResponseCode();
    try (InputStream in = status == 200 ? c.getInputStream() : c.getErrorStream()) {
      byte[] answer = in.readAllBytes();
      if (status != 200) {
        throw new IllegalStateException(
            "training request answered "
                + status
                + ": "
                + new String(answer, StandardCharsets.UTF_8));
      }
    }
  }

  /** Standard output of the in-process replica: completes with its port on the ready line. */
  private static final class ReadyLine extends OutputStream {
    final CompletableFuture<Integer> port = new CompletableFuture<>();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    @Override
    public synchronized void write(int b) {
      if (b != '\n') {
        line.write(b);
        return;
      }
      String s = line.toString(StandardCharsets.UTF_8);
      line.reset();
      if (s.startsWith(RuntimeMain.READY_PREFIX)) {
        port.complete(
            Integer.parseInt(s.substring(RuntimeMain.READY_PREFIX.length()).split(" ")[0]));
      } else if (s.startsWith(RuntimeMain.FAILED_PREFIX)) {
        System.err.println(s);
        port.completeExceptionally(new IllegalStateException(s));
      }
    }
  }
}
