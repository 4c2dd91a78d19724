package dev.kairos.sdk.predictor;

import dev.kairos.sdk.model.ModelConfig;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a {@link Predictor} is given when it loads: where its files are and how it is configured.
 */
public interface ModelContext {
  /** The model name, as in URLs. */
  String modelName();

  /** The version folder's name. */
  String version();

  /** The version folder: the predictor's jar and any files shipped beside it. */
  Path versionDir();

  /** The parsed {@code model.yaml}. */
  ModelConfig config();

  /** {@code model.yaml}'s {@code options:}, as strings. */
  default Map<String, String> options() {
    return config().options();
  }

  /** {@code cpu} or {@code gpu}. */
  default String device() {
    return config().device().kind();
  }

  /** A file of the version folder, e.g. {@code context.resolve("weights.json")}. */
  default Path resolve(String relative) {
    return versionDir().resolve(relative);
  }
}
