package dev.kairos.runtime.repository;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A scan parses a model folder again only when something in it changed. */
class ModelRepositoryCacheTest {
  @TempDir Path root;

  private Path model(String name) throws Exception {
    Path dir = Files.createDirectories(root.resolve(name + "/1"));
    Files.writeString(dir.resolve("model.onnx"), "not parsed by a scan");
    Files.writeString(root.resolve(name + "/model.yaml"), "name: " + name + "\n");
    return root.resolve(name);
  }

  @Test
  void shouldKeepWhatItParsedWhileNothingChanges() throws Exception {
    model("a");
    model("b");
    ModelRepository repo = new ModelRepository(root);
    ModelDirectory a = repo.scan().get(0);
    assertThat(a.ok()).isTrue();
    assertThat(repo.scan().get(0)).isSameAs(a);
  }

  @Test
  void shouldParseAgainWhenModelYamlOrAVersionFolderChanges() throws Exception {
    Path a = model("a");
    ModelRepository repo = new ModelRepository(root);
    ModelDirectory first = repo.scan().get(0);
    assertThat(first.config().traffic()).isEmpty();

    Files.createDirectories(a.resolve("2"));
    Files.writeString(a.resolve("2/model.onnx"), "x");
    ModelDirectory second = repo.scan().get(0);
    assertThat(second.versions()).hasSize(2);

    Path yaml = a.resolve("model.yaml");
    Files.writeString(yaml, "name: a\ntraffic: {\"1\": 50, \"2\": 50}\n");
    // a clock tick away from the last write, however coarse the file system's times are
    Files.setLastModifiedTime(yaml, FileTime.from(Instant.now().plusSeconds(5)));
    ModelDirectory third = repo.scan().get(0);
    assertThat(third).isNotSameAs(second);
    assertThat(third.config().traffic()).containsEntry("2", 50);

    Files.writeString(yaml, "name: a\nengine: nonsense\n");
    Files.setLastModifiedTime(yaml, FileTime.from(Instant.now().plusSeconds(10)));
    assertThat(repo.scan().get(0).error()).contains("nonsense");
  }

  @Test
  void shouldForgetAFolderThatWasRemoved() throws Exception {
    model("a");
    Path b = model("b");
    ModelRepository repo = new ModelRepository(root);
    assertThat(repo.scan()).hasSize(2);
    Files.delete(b.resolve("1/model.onnx"));
    Files.delete(b.resolve("1"));
    Files.delete(b.resolve("model.yaml"));
    Files.delete(b);
    assertThat(repo.scan()).extracting(ModelDirectory::name).containsExactly("a");
  }
}
