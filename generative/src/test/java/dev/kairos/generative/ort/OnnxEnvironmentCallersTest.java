package dev.kairos.generative.ort;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * No code of the platform's (modules and bench tools) creates ONNX Runtime's environment on its own
 * thread: whichever call comes first would walk the command line on that thread's stack. The
 * examples are left out: they show what a user writes, and run where the runtime made it already.
 */
class OnnxEnvironmentCallersTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  /**
   * Build output, tests (their JVMs start with a short command line and may create it directly),
   * and the examples.
   */
  private static final Set<String> SKIPPED = Set.of("target", "test", "examples", "node_modules");

  @Test
  void shouldTakeTheEnvironmentOnlyFromOnnxEnvironment() throws IOException {
    assertThat(ROOT.resolve("generative/src/main/java/dev/kairos/generative/ort")).isDirectory();
    List<String> direct = new ArrayList<>();
    Files.walkFileTree(
        ROOT,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            String name = dir.getFileName().toString();
            boolean skipped =
                !dir.equals(ROOT)
                    && (name.startsWith(".")
                        || SKIPPED.contains(name)
                        || ROOT.relativize(dir).toString().equals("tools/bench/work"));
            return skipped ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            String name = file.getFileName().toString();
            if (name.endsWith(".java")
                && !name.equals("OnnxEnvironment.java")
                && Files.readString(file).contains("OrtEnvironment.getEnvironment(")) {
              direct.add(ROOT.relativize(file).toString());
            }
            return FileVisitResult.CONTINUE;
          }
        });
    assertThat(direct).as("files calling OrtEnvironment.getEnvironment() directly").isEmpty();
  }
}
