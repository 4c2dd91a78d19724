package dev.kairos.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelStartTest {
  private static final Path MLP = Path.of("..", "examples", "models", "mlp");
  private static final Path GPT2 = Path.of("..", "examples", "models", "gpt2-tiny");

  @TempDir Path dir;

  @Test
  void shouldReadAndLoadTheModelOnAThreadOfItsOwn() {
    ModelStart start = ModelStart.begin(Map.of("model-dir", MLP.toString(), "cores", "2"));

    ModelStart.Chosen chosen = RuntimeMain.await(start.chosen);
    ModelStart.Loaded loaded = RuntimeMain.await(start.loaded);
    try {
      assertThat(chosen.dir().name()).isEqualTo("mlp");
      assertThat(chosen.version().version()).isEqualTo("1");
      assertThat(loaded.model().signature().inputs()).isNotEmpty();
      assertThat(loaded.nanos()).isPositive();
    } finally {
      loaded.model().close();
    }
  }

  @Test
  void shouldLeaveAGenerativeModelToItsOwnLoad() {
    ModelStart start = ModelStart.begin(Map.of("model-dir", GPT2.toString()));

    assertThat(RuntimeMain.await(start.chosen).generative()).isTrue();
    assertThat(RuntimeMain.await(start.loaded)).isNull();
  }

  @Test
  void shouldFailTheChoiceWithTheDirectorysProblem() throws Exception {
    Files.createDirectories(dir.resolve("broken"));
    ModelStart start = ModelStart.begin(Map.of("model-dir", dir.resolve("broken").toString()));

    assertThatThrownBy(() -> RuntimeMain.await(start.chosen))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no numbered version folder");
    assertThatThrownBy(() -> RuntimeMain.await(start.loaded))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void shouldNameTheMissingVersion() {
    ModelStart start = ModelStart.begin(Map.of("model-dir", MLP.toString(), "version", "7"));

    assertThatThrownBy(() -> RuntimeMain.await(start.chosen))
        .hasMessage("model 'mlp' has no version 7");
  }

  @Test
  void shouldSeeOnnxFilesOnlyInVersionFolders() throws Exception {
    Path onnx = Files.createDirectories(dir.resolve("a").resolve("3"));
    Files.writeString(onnx.resolve("model.onnx"), "");
    Path torch = Files.createDirectories(dir.resolve("b").resolve("1"));
    Files.writeString(torch.resolve("model.pt"), "");
    Files.writeString(dir.resolve("b").resolve("stray.onnx"), "");
    Path notVersion = Files.createDirectories(dir.resolve("c").resolve("latest"));
    Files.writeString(notVersion.resolve("model.onnx"), "");

    assertThat(ModelStart.holdsOnnxFiles(dir.resolve("a"))).isTrue();
    assertThat(ModelStart.holdsOnnxFiles(dir.resolve("b"))).isFalse();
    assertThat(ModelStart.holdsOnnxFiles(dir.resolve("c"))).isFalse();
    assertThat(ModelStart.holdsOnnxFiles(dir.resolve("missing"))).isFalse();
  }
}
