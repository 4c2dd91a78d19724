package dev.kairos.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/** The admin API as the CLI calls it. */
final class AdminClient {
  /** An admin answer that is not 2xx; the message is the server's {@code error}. */
  static final class AdminError extends Exception {
    final int status;

    AdminError(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  private final URI base;
  private final String key;
  // HTTP/1.1: a request that offers an h2c upgrade has its body passed on by the server with no
  // back-pressure on the socket, so a large bundle would pile up in the platform's heap.
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  AdminClient(URI base, String key) {
    String s = base.toString();
    this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    this.key = key;
  }

  URI base() {
    return base;
  }

  /** GET a path; the body on 2xx. */
  String get(String path) throws IOException, InterruptedException, AdminError {
    HttpResponse<String> r =
        http.send(
            request(path).timeout(Duration.ofSeconds(30)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new AdminError(r.statusCode(), Json.errorOf(r.body()));
    }
    return r.body();
  }

  /** PUT a JSON body; the answer's body on 2xx. */
  String put(String path, String json) throws IOException, InterruptedException, AdminError {
    HttpResponse<String> r =
        http.send(
            request(path)
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new AdminError(r.statusCode(), Json.errorOf(r.body()));
    }
    return r.body();
  }

  /**
   * POST a file (streamed from disk, never read whole into memory) and hand each line of a 2xx
   * answer to {@code lines} as it arrives.
   */
  void postStreaming(String path, String contentType, Path body, Consumer<String> lines)
      throws IOException, InterruptedException, AdminError {
    HttpResponse<InputStream> r =
        http.send(
            request(path)
                .timeout(Duration.ofMinutes(10))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofFile(body))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      if (r.statusCode() / 100 != 2) {
        StringBuilder b = new StringBuilder();
        in.lines().forEach(b::append);
        throw new AdminError(r.statusCode(), Json.errorOf(b.toString()));
      }
      String line;
      while ((line = in.readLine()) != null) {
        if (!line.isBlank()) {
          lines.accept(line);
        }
      }
    }
  }

  /** A model's scaling knobs as the admin API shows them: name → number or text. */
  Map<String, Object> scaling(String model) throws IOException, InterruptedException, AdminError {
    return knobs(get(scalingPath(model)));
  }

  /** Changes some of a model's scaling knobs; the knobs as they now are. */
  Map<String, Object> setScaling(String model, Map<String, ?> changes)
      throws IOException, InterruptedException, AdminError {
    return knobs(put(scalingPath(model), Json.MAPPER.writeValueAsString(changes)));
  }

  private static String scalingPath(String model) {
    return "/admin/models/" + model + "/scaling";
  }

  private static Map<String, Object> knobs(String body) {
    Map<String, Object> out = new LinkedHashMap<>();
    Json.read(body)
        .fields()
        .forEachRemaining(
            e ->
                out.put(
                    e.getKey(),
                    e.getValue().isNumber() ? e.getValue().numberValue() : e.getValue().asText()));
    return out;
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    if (key != null && !key.isBlank()) {
      b.header("Authorization", "Bearer " + key);
    }
    return b;
  }
}
