package dev.kairos.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.sdk.model.ScalingConfig;
import dev.kairos.sdk.model.ScalingKnobs;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kairos scale}: shows or changes a model's autoscaling knobs on a running {@code kairos
 * serve} through its admin API. Knobs are checked here by the same validator as {@code model.yaml}
 * before anything is sent; the server checks them again.
 */
@Command(
    name = "scale",
    description = {
      "Show or change a model's autoscaling knobs at run time.",
      "Example: kairos scale cnn --set minReplicas=1,maxScaleDownRate=4",
      "Knobs: minReplicas maxReplicas initialScale targetConcurrency targetUtilizationPercentage"
          + " stableWindow panicWindowPercentage panicThresholdPercentage maxScaleUpRate"
          + " maxScaleDownRate scaleToZeroAfter activationScale"
    })
final class ScaleCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Parameters(index = "0", description = "The model.")
  String model;

  @Option(names = "--set", description = "knob=value to change (repeatable or comma-separated).")
  List<String> set = new ArrayList<>();

  @Option(
      names = "--admin",
      defaultValue = "http://127.0.0.1:8081",
      description = "Admin API of the running kairos serve.")
  String admin;

  @Option(
      names = "--admin-key",
      description = "Admin API key (default: the KAIROS_ADMIN_KEY environment variable).")
  String adminKey;

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintStream out = System.out;
    String key = adminKey != null ? adminKey : System.getenv("KAIROS_ADMIN_KEY");
    if (key == null || key.isBlank()) {
      System.err.println("kairos scale: give the admin key with --admin-key or KAIROS_ADMIN_KEY");
      return 2;
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    URI uri = URI.create(admin.replaceAll("/+$", "") + "/admin/models/" + model + "/scaling");
    HttpResponse<String> current = send(http, HttpRequest.newBuilder(uri).GET(), key);
    if (current.statusCode() != 200) {
      return fail(current);
    }
    Map<String, String> changes;
    try {
      changes = ScalingKnobs.parseAssignments(set);
      // the same rules as model.yaml and the server, checked before anything is sent
      ScalingKnobs.apply(ScalingKnobs.apply(ScalingConfig.DEFAULT, knobs(current.body())), changes);
    } catch (IllegalArgumentException e) {
      System.err.println("kairos scale: " + model + ": " + e.getMessage());
      return 2;
    }
    HttpResponse<String> result = current;
    if (!changes.isEmpty()) {
      result =
          send(
              http,
              HttpRequest.newBuilder(uri)
                  .header("Content-Type", "application/json")
                  .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(changes))),
              key);
      if (result.statusCode() != 200) {
        return fail(result);
      }
    }
    out.println(model + (changes.isEmpty() ? "" : " (changed: " + changes.keySet() + ")") + ":");
    knobs(result.body()).forEach((k, v) -> out.printf("  %-28s %s%n", k, v));
    return 0;
  }

  private static HttpResponse<String> send(HttpClient http, HttpRequest.Builder b, String key)
      throws IOException, InterruptedException {
    return http.send(
        b.header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static Map<String, Object> knobs(String body) throws IOException {
    Map<String, Object> out = new LinkedHashMap<>();
    JsonNode n = JSON.readTree(body);
    n.fields()
        .forEachRemaining(
            e ->
                out.put(
                    e.getKey(),
                    e.getValue().isNumber() ? e.getValue().numberValue() : e.getValue().asText()));
    return out;
  }

  private int fail(HttpResponse<String> r) {
    String why = r.body();
    try {
      JsonNode n = JSON.readTree(r.body());
      if (n.hasNonNull("error")) {
        why = n.get("error").asText();
      }
    } catch (IOException ignored) {
      // not JSON: show it as it is
    }
    System.err.println("kairos scale: " + model + ": " + r.statusCode() + " " + why);
    return r.statusCode() == 404 ? 3 : 1;
  }
}
