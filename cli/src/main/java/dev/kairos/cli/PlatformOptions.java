package dev.kairos.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
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
      names = "--admin-key-file",
      defaultValue = "${env:KAIROS_ADMIN_KEY_FILE}",
      description =
          "File holding the admin API key, e.g. ~/.kairos/admin-key of serve --console (env"
              + " KAIROS_ADMIN_KEY_FILE).")
  Path adminKeyFile;

  @Option(
      names = "--admin-key",
      description =
          "Admin API key. Other users see it in ps: prefer the environment variable"
              + " KAIROS_ADMIN_KEY or --admin-key-file.")
  String adminKeyFlag;

  /**
   * The admin key: {@code --admin-key} (with a warning), else {@code KAIROS_ADMIN_KEY}, else the
   * file of {@code --admin-key-file}; null when none is given.
   */
  String adminKey(PrintStream err) {
    if (adminKeyFlag != null && !adminKeyFlag.isBlank()) {
      CommandLineSecret.warn(err, "--admin-key", "KAIROS_ADMIN_KEY or --admin-key-file");
      return adminKeyFlag;
    }
    String env = System.getenv("KAIROS_ADMIN_KEY");
    if (env != null && !env.isBlank()) {
      return env.strip();
    }
    if (adminKeyFile != null) {
      try {
        return Files.readString(adminKeyFile).strip();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read --admin-key-file " + adminKeyFile, e);
      }
    }
    return null;
  }
}
