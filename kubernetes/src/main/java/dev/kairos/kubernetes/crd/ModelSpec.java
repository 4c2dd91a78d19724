package dev.kairos.kubernetes.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The desired state of a {@link Model}. Everything a {@code model.yaml} holds (engine, signature,
 * batching, device, scaling, traffic, options) keeps its name and meaning; {@code artifact}, {@code
 * versions} and {@code runtime} say where the files are and how the replicas run in the cluster.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({
  "engine",
  "artifact",
  "versions",
  "inputs",
  "outputs",
  "batching",
  "device",
  "scaling",
  "traffic",
  "options",
  "runtime"
})
public class ModelSpec {
  private String engine;
  private ArtifactSpec artifact;
  private List<String> versions = new ArrayList<>();
  private List<TensorSpecDto> inputs = new ArrayList<>();
  private List<TensorSpecDto> outputs = new ArrayList<>();
  private Map<String, Object> batching = new LinkedHashMap<>();
  private Map<String, Object> device = new LinkedHashMap<>();
  private Map<String, Object> scaling = new LinkedHashMap<>();
  private Map<String, Integer> traffic = new LinkedHashMap<>();
  private Map<String, String> options = new LinkedHashMap<>();
  private RuntimeSpec runtime;

  public String getEngine() {
    return engine;
  }

  public void setEngine(String engine) {
    this.engine = engine;
  }

  public ArtifactSpec getArtifact() {
    return artifact;
  }

  public void setArtifact(ArtifactSpec artifact) {
    this.artifact = artifact;
  }

  /** The versions to serve; empty means the keys of {@code traffic}, or version "1". */
  public List<String> getVersions() {
    return versions;
  }

  public void setVersions(List<String> versions) {
    this.versions = versions;
  }

  public List<TensorSpecDto> getInputs() {
    return inputs;
  }

  public void setInputs(List<TensorSpecDto> inputs) {
    this.inputs = inputs;
  }

  public List<TensorSpecDto> getOutputs() {
    return outputs;
  }

  public void setOutputs(List<TensorSpecDto> outputs) {
    this.outputs = outputs;
  }

  /** As in {@code model.yaml}: maxBatchSize, maxQueueDelay, maxQueueSize, preferredBatchSizes. */
  public Map<String, Object> getBatching() {
    return batching;
  }

  public void setBatching(Map<String, Object> batching) {
    this.batching = batching;
  }

  /** As in {@code model.yaml}: kind, memory, class, threads. */
  public Map<String, Object> getDevice() {
    return device;
  }

  public void setDevice(Map<String, Object> device) {
    this.device = device;
  }

  /**
   * As in {@code model.yaml}: minReplicas, maxReplicas, initialScale, targetConcurrency,
   * scaleToZeroAfter.
   */
  public Map<String, Object> getScaling() {
    return scaling;
  }

  public void setScaling(Map<String, Object> scaling) {
    this.scaling = scaling;
  }

  public Map<String, Integer> getTraffic() {
    return traffic;
  }

  public void setTraffic(Map<String, Integer> traffic) {
    this.traffic = traffic;
  }

  public Map<String, String> getOptions() {
    return options;
  }

  public void setOptions(Map<String, String> options) {
    this.options = options;
  }

  public RuntimeSpec getRuntime() {
    return runtime;
  }

  public void setRuntime(RuntimeSpec runtime) {
    this.runtime = runtime;
  }
}
