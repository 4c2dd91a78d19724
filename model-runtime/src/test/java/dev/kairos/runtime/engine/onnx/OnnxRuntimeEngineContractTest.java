package dev.kairos.runtime.engine.onnx;

import dev.kairos.runtime.core.TestModels;
import dev.kairos.runtime.engine.EngineContractTest;
import dev.kairos.runtime.engine.ModelSource;
import dev.kairos.runtime.repository.ModelDirectory;

class OnnxRuntimeEngineContractTest extends EngineContractTest {
  @Override
  protected String engineName() {
    return "onnxruntime";
  }

  @Override
  protected ModelSource source() {
    ModelDirectory d = TestModels.dir("mlp");
    return new ModelSource("1", d.latest().artifact(), d.config(), 1);
  }
}
