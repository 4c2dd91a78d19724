package dev.kairos.kubernetes.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What the controller observed: replicas over every version, per-version detail, conditions. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ModelStatus {
  private Long observedGeneration;
  private int replicas;
  private int readyReplicas;
  public static final String READY = "Ready";

  private List<VersionStatus> versions = new ArrayList<>();
  private List<Condition> conditions = new ArrayList<>();

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public int getReplicas() {
    return replicas;
  }

  public void setReplicas(int replicas) {
    this.replicas = replicas;
  }

  public int getReadyReplicas() {
    return readyReplicas;
  }

  public void setReadyReplicas(int readyReplicas) {
    this.readyReplicas = readyReplicas;
  }

  public List<VersionStatus> getVersions() {
    return versions;
  }

  public void setVersions(List<VersionStatus> versions) {
    this.versions = versions;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  /** The condition of a type, or null. */
  public Condition condition(String type) {
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelStatus s
        && Objects.equals(observedGeneration, s.observedGeneration)
        && replicas == s.replicas
        && readyReplicas == s.readyReplicas
        && Objects.equals(versions, s.versions)
        && Objects.equals(conditions, s.conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(observedGeneration, replicas, readyReplicas, versions, conditions);
  }
}
