package dev.kairos.kubernetes.reconcile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.kairos.kubernetes.crd.ArtifactSpec;
import dev.kairos.kubernetes.crd.Model;
import dev.kairos.kubernetes.crd.ModelSpec;
import dev.kairos.kubernetes.crd.TensorSpecDto;
import dev.kairos.sdk.model.ModelConfig;
import dev.kairos.sdk.model.ModelConfigException;
import dev.kairos.sdk.model.ModelConfigParser;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Model's spec as the runtime reads it: the {@code model.yaml} rendered from the custom resource
 * (mounted next to the artifacts), checked by the same parser the runtime uses, so a spec the
 * runtime would reject is reported on the Model instead of crash-looping pods.
 *
 * @param yaml the rendered {@code model.yaml}
 * @param config what the runtime will read from it
 * @param versions versions to serve, in order
 * @param artifact where the model directory lives
 */
public record ModelDocument(
    String yaml, ModelConfig config, List<String> versions, ArtifactLocation artifact) {
  private static final YAMLMapper YAML =
      YAMLMapper.builder().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).build();

  /** Renders and validates a Model; throws {@link InvalidModelException} naming the field. */
  public static ModelDocument of(Model model) {
    String name = model.getMetadata().getName();
    ModelSpec spec = model.getSpec() == null ? new ModelSpec() : model.getSpec();
    String yaml = render(name, spec);
    ModelConfig config;
    try {
      config = ModelConfigParser.parse(yaml, Path.of("Model " + name), name);
    } catch (ModelConfigException e) {
      throw new InvalidModelException(e.getMessage());
    }
    if (config.engine() == null) {
      throw new InvalidModelException("Model " + name + ": spec.engine is required");
    }
    List<String> versions = versions(name, spec);
    ArtifactSpec artifact = spec.getArtifact();
    if (artifact == null || artifact.getUri() == null) {
      throw new InvalidModelException("Model " + name + ": spec.artifact.uri is required");
    }
    return new ModelDocument(
        yaml, config, versions, ArtifactLocation.parse(name, artifact.getUri()));
  }

  static String render(String name, ModelSpec spec) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("name", name);
    putIfPresent(doc, "engine", spec.getEngine());
    putIfPresent(doc, "inputs", tensors(spec.getInputs()));
    putIfPresent(doc, "outputs", tensors(spec.getOutputs()));
    putIfPresent(doc, "batching", spec.getBatching());
    putIfPresent(doc, "device", spec.getDevice());
    putIfPresent(doc, "scaling", spec.getScaling());
    putIfPresent(doc, "traffic", spec.getTraffic());
    putIfPresent(doc, "options", spec.getOptions());
    try {
      return YAML.writeValueAsString(doc);
    } catch (JsonProcessingException e) {
      throw new InvalidModelException("Model " + name + ": spec cannot be rendered: " + e);
    }
  }

  private static List<String> versions(String name, ModelSpec spec) {
    Set<String> out = new LinkedHashSet<>();
    if (spec.getVersions() != null) {
      out.addAll(spec.getVersions());
    }
    Map<String, Integer> traffic = spec.getTraffic() == null ? Map.of() : spec.getTraffic();
    if (out.isEmpty()) {
      out.addAll(traffic.keySet());
    }
    if (out.isEmpty()) {
      out.add("1");
    }
    for (String v : traffic.keySet()) {
      if (!out.contains(v)) {
        throw new InvalidModelException(
            "Model "
                + name
                + ": spec.traffic names version '"
                + v
                + "', which is not in spec.versions "
                + out);
      }
    }
    for (String v : out) {
      if (!v.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,40}")) {
        throw new InvalidModelException(
            "Model " + name + ": spec.versions holds '" + v + "', must be letters, digits, '.-_'");
      }
    }
    return List.copyOf(out);
  }

  private static List<Map<String, Object>> tensors(List<TensorSpecDto> specs) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (specs != null) {
      for (TensorSpecDto t : specs) {
        Map<String, Object> m = new LinkedHashMap<>();
        putIfPresent(m, "name", t.getName());
        putIfPresent(m, "datatype", t.getDatatype());
        putIfPresent(m, "shape", t.getShape());
        out.add(m);
      }
    }
    return out;
  }

  private static void putIfPresent(Map<String, Object> m, String key, Object value) {
    if (value == null
        || (value instanceof Map<?, ?> map && map.isEmpty())
        || (value instanceof List<?> list && list.isEmpty())) {
      return;
    }
    m.put(key, value);
  }
}
