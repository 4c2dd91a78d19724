package dev.kairos.runtime.repository;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.sdk.model.Isolation;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRepositoryTest {
  @TempDir Path root;

  private Path model(String name, String artifact, String yaml) throws Exception {
    Path dir = Files.createDirectories(root.resolve(name).resolve("1"));
    Files.write(dir.resolve(artifact), new byte[] {1});
    Files.writeString(root.resolve(name).resolve("model.yaml"), yaml);
    return root.resolve(name);
  }

  @Test
  void shouldCheckIsolationAgainstTheEngineItInfers() throws Exception {
    ModelDirectory d = ModelRepository.read(model("plan", "model.plan", "isolation: shared\n"));
    assertThat(d.ok()).isFalse();
    assertThat(d.error())
        .contains("plan/model.yaml: isolation = 'shared', but engine 'tensorrt' keeps a process");
  }

  @Test
  void shouldLetAnInferredOnnxModelAskToShare() throws Exception {
    ModelDirectory d = ModelRepository.read(model("light", "model.onnx", "isolation: shared\n"));
    assertThat(d.ok()).as(d.error()).isTrue();
    assertThat(d.config().isolation()).isEqualTo(Isolation.SHARED);
  }
}
