package dev.kairos.runtime.host;

import dev.kairos.runtime.core.TestModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Copies of the example models under other names, as a repository of many light models holds. */
final class HostModels {
  private HostModels() {}

  /** Copies example {@code example} to {@code root/name}, renamed (and {@code extraYaml} added). */
  static Path copy(String example, Path root, String name, String extraYaml) {
    Path from = TestModels.EXAMPLES.resolve(example);
    Path to = root.resolve(name);
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path t = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(t);
        } else {
          Files.copy(f, t);
        }
      }
      Path yaml = to.resolve("model.yaml");
      String text = Files.exists(yaml) ? Files.readString(yaml) : "";
      text = text.replaceAll("(?m)^name:.*$", "") + "\nname: " + name + "\n" + extraYaml + "\n";
      Files.writeString(yaml, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return to;
  }
}
