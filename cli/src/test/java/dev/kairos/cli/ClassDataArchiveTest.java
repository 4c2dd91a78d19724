package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassDataArchiveTest {
  @TempDir Path dir;

  @Test
  void shouldPointAtTheArchiveBesideTheCliJar() throws Exception {
    Path jar = Files.createFile(dir.resolve("kairos-cli.jar"));
    Path archive = Files.createFile(dir.resolve("kairos.jsa"));
    assertThat(ClassDataArchive.option(jar.toString(), List.of("-Xmx512m")))
        .hasValue("-XX:SharedArchiveFile=" + archive);
  }

  @Test
  void shouldGiveNoOptionWhereTheBuildMadeNoArchive() throws Exception {
    // a JVM told to use a missing archive would lose the JDK's own as well
    Path jar = Files.createFile(dir.resolve("kairos-cli.jar"));
    assertThat(ClassDataArchive.option(jar.toString(), List.of())).isEmpty();
  }

  @Test
  void shouldGiveNoOptionForAClassPathTheArchiveWasNotMadeFor() throws Exception {
    Path jar = Files.createFile(dir.resolve("kairos-cli.jar"));
    Files.createFile(dir.resolve("kairos.jsa"));
    String classes = jar + File.pathSeparator + dir.resolve("classes");
    assertThat(ClassDataArchive.option(classes, List.of())).isEmpty();
    assertThat(ClassDataArchive.option(dir.resolve("classes").toString(), List.of())).isEmpty();
  }

  @Test
  void shouldLeaveTheChoiceToJvmOptionsThatAlreadyMakeIt() throws Exception {
    Path jar = Files.createFile(dir.resolve("kairos-cli.jar"));
    Files.createFile(dir.resolve("kairos.jsa"));
    assertThat(ClassDataArchive.option(jar.toString(), List.of("-Xshare:off"))).isEmpty();
    assertThat(ClassDataArchive.option(jar.toString(), List.of("-XX:SharedArchiveFile=/x.jsa")))
        .isEmpty();
  }
}
