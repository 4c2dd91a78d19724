package dev.kairos.runtime.repository;

import dev.kairos.sdk.model.ModelConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A model folder of the repository: its configuration and versions, or why it cannot be served.
 *
 * @param name the model name (from {@code model.yaml} or the folder name)
 * @param dir the model folder
 * @param config the parsed configuration, null when {@code error} is set
 * @param versions numbered versions, lowest first
 * @param error why the model cannot be served, or null
 */
public record ModelDirectory(
    String name, Path dir, ModelConfig config, List<ModelVersion> versions, String error) {
  public ModelDirectory {
    versions = List.copyOf(versions);
  }

  public boolean ok() {
    return error == null;
  }

  public Optional<ModelVersion> version(String v) {
    return versions.stream().filter(x -> x.version().equals(v)).findFirst();
  }

  /** The highest version number, which takes traffic when no weights are configured. */
  public ModelVersion latest() {
    return versions.get(versions.size() - 1);
  }
}
