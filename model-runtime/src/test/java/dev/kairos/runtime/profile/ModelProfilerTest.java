package dev.kairos.runtime.profile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.multiplexer.profile.ModelProfile;
import dev.kairos.runtime.engine.EngineRegistry;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelRepository;
import dev.kairos.sdk.time.Clock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelProfilerTest {
  @Test
  void shouldMeasureTheExampleMlpPerBatchSize() {
    ModelDirectory dir = ModelRepository.read(Path.of("..", "examples", "models", "mlp"));
    List<String> lines = new ArrayList<>();
    ModelProfile p =
        new ModelProfiler(Clock.system())
            .profile(
                dir,
                dir.latest(),
                EngineRegistry.discover().get(dir.config().engine()),
                new ModelProfiler.Options(List.of(1, 8), 2, 20, 1),
                lines::add);
    assertThat(p.model()).isEqualTo("mlp");
    assertThat(p.latencies()).extracting(l -> l.batchSize()).containsExactly(1, 8);
    assertThat(p.latencies())
        .allSatisfy(l -> assertThat(l.p99Nanos()).isGreaterThanOrEqualTo(l.p50Nanos()));
    assertThat(p.loadNanos()).isPositive();
    assertThat(p.device()).isEqualTo("cpu:1");
    assertThat(lines).hasSize(2).first().asString().startsWith("batch 1: p50 ");
  }
}
