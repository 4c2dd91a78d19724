package dev.kairos.cli;

import java.net.URI;
import picocli.CommandLine.Option;

/** Where a running platform is: its public URL, its admin URL and admin key. */
final class PlatformOptions {
  @Option(
      names = "--url",
      defaultValue = "${env:KAIROS_URL:-http://127.0.0.1:8080}",
      description =
          "Public (inference) URL of the platform (env KAIROS_URL; default ${DEFAULT-VALUE}).")
  URI url;

  @Option(
      names = "--admin-url",
      defaultValue = "${env:KAIROS_ADMIN_URL:-http://127.0.0.1:8082}",
      description = "Admin API URL (env KAIROS_ADMIN_URL; default ${DEFAULT-VALUE}).")
  URI adminUrl;

  @Option(
      names = "--admin-key",
      defaultValue = "${env:KAIROS_ADMIN_KEY}",
      description = "Admin API key (env KAIROS_ADMIN_KEY).")
  String adminKey;
}
