package dev.kairos.runtime.core;

import dev.kairos.runtime.engine.EngineRegistry;
import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.runtime.engine.ModelSource;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelRepository;
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
}
