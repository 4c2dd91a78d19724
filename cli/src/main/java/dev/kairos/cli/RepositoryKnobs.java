package dev.kairos.cli;

import dev.kairos.autoscaler.tuner.Setting;
import dev.kairos.cli.deploy.BundleInstaller;
import dev.kairos.cli.deploy.PredictorTrust;
import dev.kairos.sdk.model.BatchingKnobs;
import dev.kairos.sdk.model.ModelConfig;
import dev.kairos.sdk.model.ModelConfigParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Knobs in the model repository: read from each model's {@code model.yaml}, written back through
 * the platform's own path ({@link BundleInstaller#writeKnobs}, as the admin API's knob changes are:
 * atomic, only the knobs' lines touched) and only over the content the search started from
 * (compared by SHA-256).
 */
final class RepositoryKnobs implements KnobStore {
  private final Path root;
  private final BundleInstaller installer;
  private final Map<String, String> readHashes = new HashMap<>();
  private final Map<String, Integer> readInitialScale = new HashMap<>();

  RepositoryKnobs(Path root) {
    this.root = root.toAbsolutePath().normalize();
    // writeScaling needs no bundle limits or trust: nothing is unpacked
    this.installer = new BundleInstaller(this.root, 1, 1, PredictorTrust.none());
  }

  @Override
  public synchronized ModelConfig current(String model) throws IOException {
    Path dir = root.resolve(model).normalize();
    if (!dir.getParent().equals(root) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    Path yaml = dir.resolve("model.yaml");
    String text = Files.exists(yaml) ? Files.readString(yaml) : "";
    readHashes.put(model, BundleInstaller.sha256(text));
    ModelConfig config = ModelConfigParser.parse(text, yaml, model);
    readInitialScale.put(model, config.scaling().initialScale());
    return config;
  }

  @Override
  public void apply(String model, Setting setting) throws IOException, ModelChanged {
    String hash;
    Integer initialScale;
    synchronized (this) {
      hash = readHashes.get(model);
      initialScale = readInitialScale.get(model);
    }
    if (hash == null) {
      throw new IllegalStateException("model '" + model + "' was not read from " + root);
    }
    Map<String, Object> scaling = new LinkedHashMap<>();
    Map<String, Object> batching = new LinkedHashMap<>();
    new java.util.TreeMap<>(setting.knobs())
        .forEach((k, v) -> (BatchingKnobs.NAMES.contains(k) ? batching : scaling).put(k, v));
    // A new minReplicas or maxReplicas moves initialScale into its range in the setting the search
    // replayed (ScalingKnobs.apply); the file must say so too, or it would no longer validate.
    if (initialScale != null && initialScale != setting.scaling().initialScale()) {
      scaling.put("initialScale", setting.scaling().initialScale());
    }
    try {
      installer.writeKnobs(
          root.resolve(model), scaling, setting.scaling(), batching, setting.batching(), hash);
    } catch (BundleInstaller.ModelChangedException e) {
      throw new ModelChanged(e.getMessage() + " (run kairos tune again)");
    }
  }

  @Override
  public String where() {
    return root.toString();
  }
}
