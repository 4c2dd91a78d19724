package dev.kairos.kubernetes.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/** One served version: its Deployment and Service, and how many replicas it has. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VersionStatus {
  private String version;
  private String deployment;
  private String service;
  private int replicas;
  private int readyReplicas;
  private Integer weight;

  public VersionStatus() {}

  public VersionStatus(
      String version,
      String deployment,
      String service,
      int replicas,
      int readyReplicas,
      Integer weight) {
    this.version = version;
    this.deployment = deployment;
    this.service = service;
    this.replicas = replicas;
    this.readyReplicas = readyReplicas;
    this.weight = weight;
  }

  public String getVersion() {
    return version;
  }

  public void setVersion(String version) {
    this.version = version;
  }

  public String getDeployment() {
    return deployment;
  }

  public void setDeployment(String deployment) {
    this.deployment = deployment;
  }

  public String getService() {
    return service;
  }

  public void setService(String service) {
    this.service = service;
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

  /** Traffic percentage, or null when the spec sets no weights. */
  public Integer getWeight() {
    return weight;
  }

  public void setWeight(Integer weight) {
    this.weight = weight;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VersionStatus s
        && Objects.equals(version, s.version)
        && Objects.equals(deployment, s.deployment)
        && Objects.equals(service, s.service)
        && replicas == s.replicas
        && readyReplicas == s.readyReplicas
        && Objects.equals(weight, s.weight);
  }

  @Override
  public int hashCode() {
    return Objects.hash(version, deployment, service, replicas, readyReplicas, weight);
  }
}
