package dev.kairos.cli;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Kairos's class-data-sharing archive, {@code kairos.jsa} beside {@code kairos-cli.jar}, which the
 * build makes ({@link ClassArchiveTraining}). A JVM started with it maps the classes a CLI or a
 * replica loads on its way to work instead of loading, verifying and linking them.
 *
 * <p>The archive holds the class path it was made with; the JVM uses it only for that class path
 * (and the same JDK), and silently starts without it otherwise. A JVM pointed at a file that does
 * not exist loses even the JDK's own archive, so the option is only given where the file is.
 */
final class ClassDataArchive {
  static final String FILE_NAME = "kairos.jsa";

  private ClassDataArchive() {}

  /**
   * {@code -XX:SharedArchiveFile=...} for a JVM on {@code classPath}, when that is the one jar the
   * archive was made for and the archive is there; empty otherwise, and when {@code jvmOptions}
   * already choose about class-data sharing.
   */
  static Optional<String> option(String classPath, List<String> jvmOptions) {
    for (String o : jvmOptions) {
      if (o.startsWith("-XX:SharedArchiveFile") || o.startsWith("-Xshare")) {
        return Optional.empty();
      }
    }
    if (classPath == null
        || classPath.contains(File.pathSeparator)
        || !classPath.endsWith(".jar")) {
      return Optional.empty();
    }
    Path archive = Path.of(classPath).toAbsolutePath().resolveSibling(FILE_NAME);
    return Files.isRegularFile(archive)
        ? Optional.of("-XX:SharedArchiveFile=" + archive)
        : Optional.empty();
  }
}
