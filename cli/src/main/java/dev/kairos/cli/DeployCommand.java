package dev.kairos.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.cli.deploy.Bundle;
import dev.kairos.cli.deploy.DeployEndpoint;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kairos deploy DIR|JAR}: a new model version on a running platform. */
@Command(
    name = "deploy",
    description =
        "Deploy a model directory or predictor jar to a running platform as a new version.")
final class DeployCommand implements Callable<Integer> {
  @Parameters(
      paramLabel = "DIR|JAR",
      description = "A model directory (model.yaml + files or a numbered version folder) or a jar.")
  Path path;

  @Option(
      names = "--name",
      description = "Model name (default: model.yaml's name, else the folder's).")
  String name;

  @Mixin HelpOptions help;

  @Option(names = "--version", description = "Version number (default: the next free number).")
  String version;

  @Option(
      names = "--sign-with",
      paramLabel = "KEY",
      description =
          "Sign the bundle with this Ed25519 private key (PEM, from kairos keygen); a platform"
              + " started with the matching --trusted-keys accepts signed Java predictors.")
  Path signWith;

  @Mixin PlatformOptions platform;

  @Override
  public Integer call() throws Exception {
    PrintStream err = System.err;
    long started = System.nanoTime();
    Bundle bundle;
    try {
      bundle = Bundle.of(path);
      if (signWith != null) {
        try (Bundle unsigned = bundle) {
          bundle =
              unsigned.signedWith(dev.kairos.cli.deploy.BundleSignature.readPrivateKey(signWith));
        }
      }
    } catch (IllegalArgumentException | dev.kairos.sdk.model.ModelConfigException e) {
      err.println("kairos deploy: " + e.getMessage());
      return 2;
    }
    try (Bundle packed = bundle) {
      return upload(packed, started);
    }
  }

  private int upload(Bundle bundle, long started) throws Exception {
    PrintStream out = System.out;
    PrintStream err = System.err;
    String model = name != null ? name : bundle.name();
    out.printf(
        Locale.ROOT,
        "Packed %s: %d file(s), %.1f KiB%n",
        path,
        bundle.files(),
        bundle.bytes() / 1024.0);
    AdminClient admin = new AdminClient(platform.adminUrl, platform.adminKey(System.err));
    String query =
        "?name="
            + URLEncoder.encode(model, StandardCharsets.UTF_8)
            + (version == null
                ? ""
                : "&version=" + URLEncoder.encode(version, StandardCharsets.UTF_8));
    out.println("Uploading to " + admin.base() + " as model '" + model + "'...");
    boolean[] ok = {false};
    try {
      admin.postStreaming(
          DeployEndpoint.PATH + query,
          "application/zip",
          bundle.zip(),
          line -> {
            JsonNode e = Json.read(line);
            switch (e.path("event").asText()) {
              case "written" ->
                  out.println(
                      "Written to the model repository: "
                          + e.path("path").asText()
                          + "; loading "
                          + model
                          + " v"
                          + e.path("version").asText()
                          + "...");
              case "ready" -> {
                ok[0] = true;
                out.printf(
                    Locale.ROOT,
                    "%s v%s is READY (loaded in %.1f s, %.1f s in all): %s/v2/models/%s/infer%n",
                    model,
                    e.path("version").asText(),
                    e.path("loadMillis").asLong() / 1000.0,
                    (System.nanoTime() - started) / 1e9,
                    platform.url,
                    model);
              }
              case "failed" -> err.println("kairos deploy: " + e.path("error").asText());
              default -> out.println(line);
            }
          });
    } catch (AdminClient.AdminError e) {
      err.println("kairos deploy: refused (HTTP " + e.status + "): " + e.getMessage());
      return 1;
    } catch (java.net.ConnectException e) {
      err.println(
          "kairos deploy: cannot reach the admin API at "
              + admin.base()
              + " (is `kairos serve` running? --admin-url)");
      return 1;
    }
    return ok[0] ? 0 : 1;
  }
}
