package dev.kairos.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code kairos models}: what a running platform serves. */
@Command(
    name = "models",
    description = "List the models of a running platform: versions, state, replicas.")
final class ModelsCommand implements Callable<Integer> {
  @Mixin PlatformOptions platform;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    AdminClient admin = new AdminClient(platform.adminUrl, platform.adminKey(System.err));
    JsonNode models;
    try {
      models = Json.read(admin.get("/admin/models"));
    } catch (AdminClient.AdminError e) {
      System.err.println("kairos models: HTTP " + e.status + ": " + e.getMessage());
      return 1;
    } catch (java.net.ConnectException e) {
      System.err.println("kairos models: cannot reach the admin API at " + admin.base());
      return 1;
    }
    String format = "%-24s %-11s %-12s %-16s %s%n";
    out.printf(Locale.ROOT, format, "MODEL", "STATE", "VERSIONS", "TRAFFIC", "REPLICAS");
    for (JsonNode m : models) {
      List<String> versions = new ArrayList<>();
      m.path("versions").forEach(v -> versions.add(v.asText()));
      List<String> traffic = new ArrayList<>();
      m.path("traffic")
          .fields()
          .forEachRemaining(e -> traffic.add(e.getKey() + ":" + e.getValue().asText()));
      List<String> replicas = new ArrayList<>();
      m.path("replicas")
          .forEach(
              r ->
                  replicas.add(
                      "v" + r.path("version").asText() + "@" + r.path("endpoint").asText()));
      out.printf(
          Locale.ROOT,
          format,
          m.path("name").asText(),
          m.path("state").asText(),
          String.join(",", versions),
          traffic.isEmpty() ? "latest" : String.join(",", traffic),
          replicas.size() + (replicas.isEmpty() ? "" : " " + String.join(" ", replicas)));
      if (m.hasNonNull("reason")) {
        out.println("    reason: " + m.get("reason").asText());
      }
    }
    return 0;
  }
}
