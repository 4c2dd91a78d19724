package dev.kairos.kubernetes.crd;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Where the model directory (version folders with their artifacts) lives.
 *
 * <p>{@code uri} is {@code pvc://CLAIM/PATH} (a PersistentVolumeClaim, mounted read-only, PATH
 * inside it) or {@code hostpath:///DIR} (a node directory, for single-node dev clusters).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ArtifactSpec {
  private String uri;

  public ArtifactSpec() {}

  public ArtifactSpec(String uri) {
    this.uri = uri;
  }

  public String getUri() {
    return uri;
  }

  public void setUri(String uri) {
    this.uri = uri;
  }
}
