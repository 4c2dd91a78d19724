package dev.kairos.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One shared runtime host of {@code kairos serve}: a child {@code RuntimeMain --shared-host} and
 * the platform's side of its explicit model control (load, unload), with the replica token.
 */
final class RuntimeHost {
  /** A model version loaded into a host, as its load answered. */
  record Loaded(int capacity, long footprintBytes, double loadMillis, List<Key> evicted) {}

  /** A model version in a host. */
  record Key(String model, String version) {}

  /** A host said no to a load or unload: its status and message. */
  static final class Refused extends RuntimeException {
    final int status;

    Refused(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  private final int number;
  private final String device;
  private final RuntimeProcess process;
  private final long budgetBytes;
  private final String token;
  private final HttpClient http;
  private final Set<Key> models = ConcurrentHashMap.newKeySet();
  private volatile int port = -1;
  private CompletableFuture<RuntimeProcess.Ready> ready;

  private RuntimeHost(
      int number, String device, RuntimeProcess process, long budgetBytes, String token) {
    this.number = number;
    this.device = device;
    this.process = process;
    this.budgetBytes = budgetBytes;
    this.token = token;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  /**
   * Starts host {@code number} with a memory budget and a bound on its loads at once, on {@code
   * device} (its core set, to which {@code command} pins it; empty where hosts are not placed).
   */
  static RuntimeHost start(
      ReplicaCommand command,
      int number,
      String device,
      long budgetBytes,
      int maxLoads,
      Path trustedPredictors)
      throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--memory-budget",
                Long.toString(budgetBytes),
                "--max-concurrent-loads",
                Integer.toString(maxLoads),
                // the platform unloads idle models (scale to zero); a host evicts only for room
                "--idle-unload-after",
                "0"));
    if (trustedPredictors != null) {
      args.addAll(List.of("--trusted-predictors", trustedPredictors.toString()));
    }
    RuntimeProcess p = RuntimeProcess.host(command, args);
    RuntimeHost h =
        new RuntimeHost(
            number,
            device,
            p,
            budgetBytes,
            command.token() == null ? null : command.token().secret());
    h.ready =
        p.ready()
            .thenApply(
                r -> {
                  h.port = r.port();
                  return r;
                });
    return h;
  }

  /** Completes once the host listens. */
  CompletableFuture<RuntimeProcess.Ready> ready() {
    return ready;
  }

  boolean serving() {
    return port > 0 && process.isAlive();
  }

  /** The device (core set) the host is pinned to, or empty. */
  String device() {
    return device;
  }

  int number() {
    return number;
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  long budgetBytes() {
    return budgetBytes;
  }

  RuntimeProcess process() {
    return process;
  }

  /** The model versions this platform loaded here and has not unloaded or seen evicted. */
  Set<Key> models() {
    return models;
  }

  /**
   * Reads the host's index: the platform's first call, made as the host starts, so the first load a
   * request waits for does not also pay for this connection and its code paths.
   */
  CompletableFuture<JsonNode> index() {
    return send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/repository/index"))
            .timeout(Duration.ofSeconds(30))
            .GET());
  }

  /** Loads a model version from its folder; fails with {@link Refused} or an I/O error. */
  CompletableFuture<Loaded> load(Path modelDir, String model, String version) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    ObjectNode params = body.putObject("parameters");
    params.put("model_dir", modelDir.toString());
    params.put("version", version);
    return post("/v2/repository/models/" + model + "/load", body.toString())
        .thenApply(
            n -> {
              List<Key> evicted = new ArrayList<>();
              for (JsonNode e : n.path("evicted")) {
                Key k = new Key(e.path("name").asText(), e.path("version").asText());
                evicted.add(k);
                models.remove(k);
              }
              models.add(new Key(model, version));
              return new Loaded(
                  n.path("capacity").asInt(1),
                  n.path("footprint_bytes").asLong(),
                  n.path("load_ms").asDouble(),
                  evicted);
            });
  }

  /**
   * One inference request (Open Inference Protocol JSON) to a model version loaded here, as the
   * gateway would forward it.
   */
  CompletableFuture<JsonNode> infer(String model, String version, String body) {
    return post("/v2/models/" + model + "/versions/" + version + "/infer", body);
  }

  /** Unloads a model version; it drains in the host first. */
  CompletableFuture<Void> unload(String model, String version) {
    models.remove(new Key(model, version));
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.putObject("parameters").put("version", version);
    return post("/v2/repository/models/" + model + "/unload", body.toString()).thenApply(n -> null);
  }

  private CompletableFuture<JsonNode> post(String path, String body) {
    return send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofMinutes(2))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  /** Sends a request with the replica token; the answer's JSON, or {@link Refused} unless 200. */
  private CompletableFuture<JsonNode> send(HttpRequest.Builder b) {
    if (token != null) {
      b.header(dev.kairos.sdk.replica.ReplicaToken.HEADER, token);
    }
    return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString())
        .thenApply(
            r -> {
              if (r.statusCode() != 200) {
                throw new Refused(r.statusCode(), Json.errorOf(r.body()));
              }
              return Json.read(r.body());
            });
  }

  /** Stops the host (SIGTERM, then SIGKILL after the grace). */
  CompletableFuture<Void> stop(long graceMillis) {
    return process.stopAsync(graceMillis);
  }

  @Override
  public String toString() {
    return "host " + number + " (pid " + pid() + ", port " + port + ")";
  }
}
