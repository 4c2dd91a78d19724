package dev.kairos.runtime.host;

import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.runtime.profile.SyntheticInputs;
import dev.kairos.sdk.model.Isolation;
import dev.kairos.sdk.model.ModelConfig;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model's first run, made inside its load on inputs shaped by its signature: an engine session's
 * first run allocates its buffers and picks its kernels, and that cost belongs to the load, not to
 * the first request routed to the model. It also makes the footprint measured at load include what
 * the model takes when it runs.
 *
 * <p>Not made for a Java predictor (its {@code predict} is its author's code, which may act on the
 * world) nor for a model with inputs no value can be made up for (strings); a model that fails on
 * made-up values is still loaded, and its first request runs it first.
 */
final class FirstRun {
  private static final Logger log = LoggerFactory.getLogger(FirstRun.class);

  private FirstRun() {}

  /**
   * @return whether the model ran
   */
  static boolean run(String model, ModelConfig config, LoadedModel loaded) {
    if (Isolation.JAVA_ENGINE.equals(config.engine())) {
      return false;
    }
    try {
      loaded.infer(
          SyntheticInputs.request(loaded.signature().inputs(), 1, new SplittableRandom(1), model));
      return true;
    } catch (RuntimeException e) {
      log.info("model={} no first run inside the load: {}", model, e.toString());
      return false;
    }
  }
}
