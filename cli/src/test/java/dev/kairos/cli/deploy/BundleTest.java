package dev.kairos.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.runtime.engine.onnx.OptimizedGraphs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleTest {
  @TempDir Path dir;

  @Test
  void shouldPackTheHighestVersionOfAModelDirectoryAndInstallRoundTrip(@TempDir Path repo)
      throws Exception {
    Path model = dir.resolve("scorer");
    Files.createDirectories(model.resolve("1"));
    Files.createDirectories(model.resolve("2/nested"));
    Files.writeString(model.resolve("model.yaml"), "engine: java\n");
    Files.writeString(model.resolve("1/old.jar"), "old");
    Files.writeString(model.resolve("2/new.jar"), "new");
    Files.writeString(model.resolve("2/nested/w.txt"), "w");

    Bundle b = Bundle.of(model);
    new BundleInstaller(repo, 1 << 20, 100, PredictorTrust.all()).install(b.zip(), b.name(), null);

    assertThat(b.name()).isEqualTo("scorer");
    assertThat(b.files()).isEqualTo(2);
    assertThat(repo.resolve("scorer/1/new.jar")).hasContent("new");
    assertThat(repo.resolve("scorer/1/nested/w.txt")).hasContent("w");
    assertThat(repo.resolve("scorer/1/old.jar")).doesNotExist();
  }

  @Test
  void shouldLeaveTheOptimisedGraphsKeptBesideTheModelOut(@TempDir Path repo) throws Exception {
    Path model = dir.resolve("scorer");
    Path graphs = model.resolve("1").resolve(OptimizedGraphs.FOLDER);
    Files.createDirectories(graphs);
    Files.writeString(model.resolve("model.yaml"), "engine: onnxruntime\n");
    Files.writeString(model.resolve("1/model.onnx"), "model");
    Files.writeString(graphs.resolve("model.onnx.0123.onnx"), "graph for this machine");

    Bundle b = Bundle.of(model);
    new BundleInstaller(repo, 1 << 20, 100, PredictorTrust.all()).install(b.zip(), b.name(), null);

    assertThat(b.files()).isEqualTo(1);
    assertThat(repo.resolve("scorer/1/model.onnx")).hasContent("model");
    assertThat(repo.resolve("scorer/1").resolve(OptimizedGraphs.FOLDER)).doesNotExist();
  }

  @Test
  void shouldRefuseSymbolicLinks() throws Exception {
    Path model = dir.resolve("m");
    Files.createDirectories(model.resolve("1"));
    Files.writeString(model.resolve("model.yaml"), "engine: java\n");
    Files.createSymbolicLink(model.resolve("1/secrets"), Path.of("/etc/passwd"));

    assertThatThrownBy(() -> Bundle.of(model))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is a symbolic link");
  }

  @Test
  void shouldTakeModelYamlFromAJar() throws Exception {
    Path jar = dir.resolve("scorer-1.0.jar");
    Files.write(
        jar,
        BundleInstallerTest.zip(
            Map.of("model.yaml", "name: scorer\nengine: java\n", "A.class", "")));

    Bundle b = Bundle.of(jar);

    assertThat(b.name()).isEqualTo("scorer");
    assertThat(b.files()).isEqualTo(1);
  }

  @Test
  void shouldExplainAJarWithoutModelYaml() throws Exception {
    Path jar = dir.resolve("x.jar");
    Files.write(jar, BundleInstallerTest.zip(Map.of("A.class", "")));

    assertThatThrownBy(() -> Bundle.of(jar)).hasMessageContaining("carries no model.yaml");
  }
}
