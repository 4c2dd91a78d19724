package dev.kairos.load;

import static io.gatling.javaapi.http.HttpDsl.http;

import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The platform under test and the knobs every simulation shares, from system properties (the Maven
 * plugin passes them on): {@code kairos.url}, {@code kairos.models} (comma-separated), {@code
 * kairos.rate} (requests per second), {@code kairos.seconds} (duration of the main phase), {@code
 * kairos.apiKey} (sent as a bearer token when set). Request bodies are each model's golden request
 * from {@code examples/models/<model>/golden/request.json}.
 */
final class Target {
  private Target() {}

  static String url() {
    return System.getProperty("kairos.url", "http://127.0.0.1:8080");
  }

  static List<String> models() {
    return Arrays.stream(System.getProperty("kairos.models", "mlp,cnn").split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  static double rate() {
    return Double.parseDouble(System.getProperty("kairos.rate", "20"));
  }

  static int seconds() {
    return Integer.parseInt(System.getProperty("kairos.seconds", "60"));
  }

  static double number(String property, double dflt) {
    String v = System.getProperty(property);
    return v == null || v.isBlank() ? dflt : Double.parseDouble(v);
  }

  static HttpProtocolBuilder protocol() {
    HttpProtocolBuilder p =
        http.baseUrl(url()).contentTypeHeader("application/json").acceptHeader("application/json");
    String key = System.getProperty("kairos.apiKey", "");
    return key.isBlank() ? p : p.authorizationHeader("Bearer " + key);
  }

  /** The golden request of an example model (or of a model under {@code kairos.home}). */
  static String goldenRequest(String model) {
    Path home = Path.of(System.getProperty("kairos.home", "."));
    Path file = home.resolve("examples/models").resolve(model).resolve("golden/request.json");
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("no golden request for model '" + model + "' at " + file, e);
    }
  }
}
