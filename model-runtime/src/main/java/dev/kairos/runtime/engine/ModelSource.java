package dev.kairos.runtime.engine;

import dev.kairos.sdk.model.ModelConfig;
import java.nio.file.Path;

/**
 * What an engine needs to load a model version.
 *
 * @param version the version folder's name
 * @param artifact the model file
 * @param config the model's configuration
 * @param threads compute threads the replica is given (at least 1)
 */
public record ModelSource(String version, Path artifact, ModelConfig config, int threads) {
  public String modelName() {
    return config.name();
  }

  /** An engine option from {@code model.yaml}'s {@code options:}, or the default. */
  public int intOption(String key, int dflt) {
    String v = config.options().get(key);
    if (v == null) {
      return dflt;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new ModelLoadException(
          "model '" + modelName() + "': option " + key + " = '" + v + "', must be an integer");
    }
  }

  /** A yes/no engine option from {@code model.yaml}'s {@code options:}, or the default. */
  public boolean booleanOption(String key, boolean dflt) {
    String v = config.options().get(key);
    if (v == null) {
      return dflt;
    }
    return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "true", "on", "yes" -> true;
      case "false", "off", "no" -> false;
      default ->
          throw new ModelLoadException(
              "model '"
                  + modelName()
                  + "': option "
                  + key
                  + " = '"
                  + v
                  + "', must be true or false");
    };
  }
}
