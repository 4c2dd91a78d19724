package dev.kairos.runtime.engine.pytorch;

import dev.kairos.runtime.core.TestModels;
import dev.kairos.runtime.engine.EngineContractTest;
import dev.kairos.runtime.engine.ModelSource;
import dev.kairos.runtime.repository.ModelDirectory;

class PyTorchEngineContractTest extends EngineContractTest {
  @Override
  protected String engineName() {
    return "pytorch";
  }

  @Override
  protected ModelSource source() {
    ModelDirectory d = TestModels.dir("mlp-torch");
    return new ModelSource("1", d.latest().artifact(), d.config(), 1);
  }
}
