package dev.kairos.kubernetes.crd;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A served model: the cluster form of a {@code model.yaml}. The controller turns each one into a
 * runtime Deployment and Service per version and writes what it sees back into the status.
 */
@Group(Model.GROUP)
@Version(Model.VERSION)
@Kind("Model")
@Plural("models")
@Singular("model")
@ShortNames("kmodel")
public class Model extends CustomResource<ModelSpec, ModelStatus> implements Namespaced {
  public static final String GROUP = "kairos.dev";
  public static final String VERSION = "v1alpha1";

  @Override
  protected ModelSpec initSpec() {
    return new ModelSpec();
  }

  @Override
  protected ModelStatus initStatus() {
    return new ModelStatus();
  }
}
