package dev.kairos.runtime.engine.pytorch;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import dev.kairos.runtime.engine.Engine;
import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.runtime.engine.ModelLoadException;
import dev.kairos.runtime.engine.ModelSource;
import dev.kairos.sdk.model.ModelSignature;
import java.io.IOException;
import java.util.Map;

/**
 * TorchScript models through DJL's PyTorch engine, fully offline: the native libraries come from
 * the {@code pytorch-native-cpu} jar on the class path and are unpacked once into the engine cache
 * ({@code ENGINE_CACHE_DIR}, default {@code ~/.kairos/djl-engines}).
 *
 * <p>TorchScript files carry no typed signature, so {@code model.yaml} declares it; inputs are
 * passed to {@code forward} in the declared order, outputs are named in the declared order.
 */
public final class PyTorchEngine implements Engine {
  @Override
  public String name() {
    return "pytorch";
  }

  @Override
  public void start(int threads) {
    DjlSettings.apply(threads);
    try {
      ai.djl.engine.Engine.getEngine("PyTorch");
    } catch (RuntimeException | LinkageError e) {
      throw new ModelLoadException("DJL's PyTorch engine cannot start: " + e.getMessage(), e);
    }
  }

  @Override
  public LoadedModel load(ModelSource source) {
    String name = source.modelName();
    ModelSignature signature = source.config().declaredSignature();
    if (signature == null || signature.inputs().isEmpty() || signature.outputs().isEmpty()) {
      throw new ModelLoadException(
          "model '"
              + name
              + "': engine pytorch needs the signature in model.yaml (inputs: and outputs:),"
              + " since a TorchScript file does not carry one");
    }
    DjlSettings.apply(source.threads());
    ai.djl.engine.Engine torch;
    try {
      torch = ai.djl.engine.Engine.getEngine("PyTorch");
    } catch (RuntimeException | LinkageError e) {
      throw new ModelLoadException(
          "model '" + name + "': DJL's PyTorch engine cannot start: " + e.getMessage(), e);
    }
    Model model = torch.newModel(name, Device.cpu());
    try {
      model.load(source.artifact(), null, Map.of("mapLocation", "true"));
      return new PyTorchModel(name, model, signature);
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw new ModelLoadException(
          "model '"
              + name
              + "': PyTorch cannot load "
              + source.artifact()
              + " as TorchScript: "
              + e.getMessage(),
          e);
    }
  }
}
