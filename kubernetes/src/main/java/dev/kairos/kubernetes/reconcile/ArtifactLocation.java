package dev.kairos.kubernetes.reconcile;

import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * Where a model directory is read from, as a pod volume: a PersistentVolumeClaim ({@code
 * pvc://claim/path}) or a node directory ({@code hostpath:///dir}, for single-node dev clusters).
 *
 * @param claim the claim name, or null for a host path
 * @param path the directory inside the claim (may be empty), or the host directory
 */
public record ArtifactLocation(String claim, String path) {
  static ArtifactLocation parse(String model, String uri) {
    URI u;
    try {
      u = new URI(uri);
    } catch (URISyntaxException e) {
      throw new InvalidModelException(
          "Model " + model + ": spec.artifact.uri = '" + uri + "' is not a URI");
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme();
    String path = u.getPath() == null ? "" : u.getPath();
    switch (scheme) {
      case "pvc":
        if (u.getHost() == null || u.getHost().isEmpty()) {
          throw new InvalidModelException(
              "Model " + model + ": spec.artifact.uri = '" + uri + "', must be pvc://CLAIM/PATH");
        }
        return new ArtifactLocation(u.getHost(), path.replaceAll("^/+", ""));
      case "hostpath":
        if (!path.startsWith("/") || path.length() < 2) {
          throw new InvalidModelException(
              "Model " + model + ": spec.artifact.uri = '" + uri + "', must be hostpath:///DIR");
        }
        return new ArtifactLocation(null, path);
      default:
        throw new InvalidModelException(
            "Model "
                + model
                + ": spec.artifact.uri = '"
                + uri
                + "', scheme must be pvc:// or hostpath://");
    }
  }

  /** The pod volume holding the model directory (the claim's root, or the host directory). */
  Volume volume(String name) {
    VolumeBuilder b = new VolumeBuilder().withName(name);
    if (claim != null) {
      return b.withNewPersistentVolumeClaim(claim, true).build();
    }
    return b.withNewHostPath().withPath(path).withType("Directory").endHostPath().build();
  }

  /** The sub path to mount from {@link #volume}: the model directory inside it. */
  String subPath() {
    return claim != null ? path : "";
  }
}
