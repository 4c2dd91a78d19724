package dev.kairos.kubernetes.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** How the runtime replicas of a model run: image (default from the platform) and resources. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RuntimeSpec {
  private String image;
  private ResourceRequirements resources;

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }
}
