package dev.kairos.cli.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What deploys left hidden in a repository's folder (uploads, staging folders), besides the list of
 * trusted predictors the platform keeps there on purpose.
 */
public final class Leftovers {
  private Leftovers() {}

  public static List<String> in(Path repo) throws IOException {
    try (Stream<Path> s = Files.list(repo)) {
      return s.filter(p -> !p.equals(BundleInstaller.trustedPredictors(repo)))
          .map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith("."))
          .toList();
    }
  }
}
