package dev.kairos.runtime.core;

import dev.kairos.multiplexer.arbiter.ArbiterClient;
import dev.kairos.runtime.engine.EngineRegistry;
import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.runtime.engine.ModelSource;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelRepository;
import dev.kairos.sdk.time.Clock;
import java.nio.file.Path;

/** The committed example models, loaded by their real engines. */
public final class TestModels {
  public static final Path EXAMPLES = Path.of("..", "examples", "models").toAbsolutePath();

  private TestModels() {}

  public static ModelDirectory dir(String name) {
    ModelDirectory d = ModelRepository.read(EXAMPLES.resolve(name));
    if (!d.ok()) {
      throw new IllegalStateException(d.error());
    }
    return d;
  }

  public static LoadedModel load(ModelDirectory d) {
    return EngineRegistry.discover()
        .get(d.config().engine())
        .load(new ModelSource(d.latest().version(), d.latest().artifact(), d.config(), 1));
  }

  /**
   * Version 1 of {@code d} served by {@code model}: one worker and one codec thread, its device to
   * itself, the system clock (the servers' tests).
   */
  public static InferenceService service(ModelDirectory d, LoadedModel model) {
    return new InferenceService(
        d.name(),
        "1",
        d.config(),
        model,
        new WorkerConfig(1, 1),
        ArbiterClient.unshared(),
        Clock.system());
  }
}
