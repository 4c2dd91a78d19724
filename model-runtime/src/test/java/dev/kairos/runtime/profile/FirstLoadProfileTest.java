package dev.kairos.runtime.profile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.multiplexer.profile.BatchLatency;
import dev.kairos.multiplexer.profile.ModelProfile;
import dev.kairos.multiplexer.profile.ProfileStore;
import dev.kairos.runtime.engine.EngineRegistry;
import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.runtime.engine.ModelSource;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelRepository;
import dev.kairos.sdk.time.Clock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FirstLoadProfileTest {
  @TempDir Path tmp;

  @Test
  void shouldMeasureAndStoreTheProfileOnceBesideTheModel() throws Exception {
    ModelDirectory dir = copyOfMlp();

    try (LoadedModel loaded = load(dir)) {
      Optional<ModelProfile> first =
          FirstLoadProfile.ensure(dir, dir.latest(), loaded, 1, 1 << 20, 5_000_000, Clock.system());
      Optional<ModelProfile> second =
          FirstLoadProfile.ensure(dir, dir.latest(), loaded, 1, 1 << 20, 5_000_000, Clock.system());

      assertThat(first).isPresent();
      assertThat(second).isEmpty();
      ModelProfile stored = ProfileStore.read(dir.dir()).orElseThrow();
      assertThat(stored.latencies()).extracting(BatchLatency::batchSize).containsExactly(1, 4);
      assertThat(stored.memoryBytes()).isEqualTo(1 << 20);
      assertThat(stored.source()).startsWith("measured by its first load");
    }
  }

  private ModelDirectory copyOfMlp() throws Exception {
    Path src = Path.of("..", "examples", "models", "mlp");
    Path dst = tmp.resolve("mlp");
    Files.createDirectories(dst.resolve("1"));
    Files.copy(src.resolve("model.yaml"), dst.resolve("model.yaml"));
    Files.copy(src.resolve("1/model.onnx"), dst.resolve("1/model.onnx"));
    return ModelRepository.read(dst);
  }

  private static LoadedModel load(ModelDirectory dir) {
    return EngineRegistry.discover()
        .get(dir.config().engine())
        .load(new ModelSource(dir.latest().version(), dir.latest().artifact(), dir.config(), 1));
  }
}
