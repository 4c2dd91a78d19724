package dev.kairos.cli;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code ./kairos serve} started as a user would, from the checkout's launcher script. */
final class KairosProcess implements AutoCloseable {
  static final Path HOME =
      Path.of(System.getProperty("kairos.home", "..")).toAbsolutePath().normalize();
  private static final Pattern URL =
      Pattern.compile("gateway listening on (http://127\\.0\\.0\\.1:\\d+)");
  private static final Pattern GRPC = Pattern.compile("gRPC listening on 127\\.0\\.0\\.1:(\\d+)");

  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private volatile String url;
  private volatile int grpcPort = -1;

  private KairosProcess(Process process) {
    this.process = process;
    Thread t = new Thread(this::read, "kairos-stdout");
    t.setDaemon(true);
    t.start();
    Thread e = new Thread(this::readLog, "kairos-stderr");
    e.setDaemon(true);
    e.start();
  }

  /** Its log (stderr) goes on to this JVM's; blocked event loops are reported to the test. */
  private void readLog() {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      BlockedLoops.Log log = new BlockedLoops.Log();
      String line;
      while ((line = r.readLine()) != null) {
        System.err.println(line);
        log.line(line);
      }
      log.end();
    } catch (IOException ignored) {
      // the process ended
    }
  }

  /** Starts serving {@code models} on a free port and waits until it reports ready. */
  static KairosProcess serve(Path models, String... extraArgs) throws IOException {
    return serve(java.util.Map.of(), models, extraArgs);
  }

  /** The same, with {@code env} added to the environment (e.g. {@code KAIROS_JAVA_OPTS}). */
  static KairosProcess serve(java.util.Map<String, String> env, Path models, String... extraArgs)
      throws IOException {
    List<String> cmd =
        new ArrayList<>(List.of(HOME.resolve("kairos").toString(), "serve", "--port", "0"));
    cmd.add("--models");
    cmd.add(models.toString());
    cmd.addAll(List.of(extraArgs));
    if (!cmd.contains("--shared-hosts")) {
      // These tests are about replicas as processes of their own (they find, kill and pause them
      // by their command line); the tests of shared hosts ask for them.
      cmd.addAll(List.of("--shared-hosts", "0"));
    }
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("KAIROS_SKIP_BUILD", "1");
    pb.environment().putAll(env);
    KairosProcess k = new KairosProcess(pb.start());
    try {
      await()
          .atMost(Duration.ofSeconds(120))
          .until(() -> k.output().contains("Kairos ready") || !k.process.isAlive());
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      // No caller holds the process yet: stop it here, or it outlives the test run.
      try {
        k.close();
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException(
          "kairos serve not ready within 120 s; its output:\n" + k.output(), e);
    }
    if (!k.process.isAlive()) {
      throw new IllegalStateException("kairos serve exited:\n" + k.output());
    }
    return k;
  }

  private void read() {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        lines.add(line);
        Matcher m = URL.matcher(line);
        if (url == null && m.find()) {
          url = m.group(1);
        }
        Matcher g = GRPC.matcher(line);
        if (grpcPort < 0 && g.find()) {
          grpcPort = Integer.parseInt(g.group(1));
        }
      }
    } catch (IOException ignored) {
      // the process ended
    }
  }

  String output() {
    return String.join("\n", lines);
  }

  String url() {
    return url;
  }

  /** The port of the gateway's gRPC service, or -1 when it printed none. */
  int grpcPort() {
    return grpcPort;
  }

  Process process() {
    return process;
  }

  HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(url + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * One inference of {@code body} to {@code model} with a deadline ({@code Kairos-Timeout-Ms}), for
   * clients that run on their own threads: a request that cannot be sent fails the caller.
   */
  HttpResponse<String> infer(String model, String body, long timeoutMs) {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create(url + "/v2/models/" + model + "/infer"))
              .header("Content-Type", "application/json")
              .header("Kairos-Timeout-Ms", Long.toString(timeoutMs))
              .POST(HttpRequest.BodyPublishers.ofString(body))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException("request failed: " + e, e);
    }
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(url + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Sends SIGTERM, as Ctrl-C or a service manager would, and waits for the process to exit. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
