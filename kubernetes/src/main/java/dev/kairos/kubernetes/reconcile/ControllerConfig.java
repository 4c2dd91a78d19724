package dev.kairos.kubernetes.reconcile;

import java.util.Map;
import java.util.Objects;

/**
 * Platform defaults the controller applies to every model (from the {@code kairos-config}
 * ConfigMap).
 *
 * @param namespace where models and their objects live
 * @param runtimeImage image of the runtime replicas unless a model names its own
 * @param runtimePort port the runtime listens on inside its pod
 * @param modelsMountPath where model directories are mounted in the runtime pod
 * @param arbiterSocketDir node directory holding the arbiter's Unix socket (GPU models)
 * @param acceleratorNodeSelector node labels GPU models are scheduled on
 * @param gpuResource extended resource a GPU model asks one of, e.g. {@code nvidia.com/gpu}
 */
public record ControllerConfig(
    String namespace,
    String runtimeImage,
    int runtimePort,
    String modelsMountPath,
    String arbiterSocketDir,
    Map<String, String> acceleratorNodeSelector,
    String gpuResource) {
  public ControllerConfig {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(runtimeImage, "runtimeImage");
    if (runtimePort < 1 || runtimePort > 65535) {
      throw new IllegalArgumentException("runtimePort = " + runtimePort + ", must be 1..65535");
    }
    if (!modelsMountPath.startsWith("/")) {
      throw new IllegalArgumentException(
          "modelsMountPath = '" + modelsMountPath + "', must be an absolute path");
    }
    acceleratorNodeSelector = Map.copyOf(acceleratorNodeSelector);
  }

  public static ControllerConfig defaults(String namespace) {
    return new ControllerConfig(
        namespace,
        "ghcr.io/kairos-dev/kairos-runtime:latest",
        8080,
        "/models",
        "/var/run/kairos",
        Map.of("kairos.dev/accelerator", "true"),
        "nvidia.com/gpu");
  }

  public ControllerConfig withRuntimeImage(String image) {
    return new ControllerConfig(
        namespace,
        image,
        runtimePort,
        modelsMountPath,
        arbiterSocketDir,
        acceleratorNodeSelector,
        gpuResource);
  }
}
