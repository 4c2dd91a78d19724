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
 * @param sharedGpuResource extended resource a GPU model that shares its device asks one of: a
 *     time-sliced share of a card, e.g. {@code nvidia.com/gpu.shared} (what NVIDIA's device plugin
 *     advertises with time-slicing and {@code renameByDefault}); the node's arbiter slices it
 */
public record ControllerConfig(
    String namespace,
    String runtimeImage,
    int runtimePort,
    String modelsMountPath,
    String arbiterSocketDir,
    Map<String, String> acceleratorNodeSelector,
    String gpuResource,
    String sharedGpuResource) {
  /** Socket of the node's GPU arbiter, in {@link #arbiterSocketDir}. */
  public static final String GPU_ARBITER_SOCKET = "arbiter.sock";

  /** Socket of the node's CPU arbiter, in {@link #arbiterSocketDir}. */
  public static final String CPU_ARBITER_SOCKET = "arbiter-cpu.sock";

  /** As the canonical constructor, sharing GPUs as {@code gpuResource + ".shared"}. */
  public ControllerConfig(
      String namespace,
      String runtimeImage,
      int runtimePort,
      String modelsMountPath,
      String arbiterSocketDir,
      Map<String, String> acceleratorNodeSelector,
      String gpuResource) {
    this(
        namespace,
        runtimeImage,
        runtimePort,
        modelsMountPath,
        arbiterSocketDir,
        acceleratorNodeSelector,
        gpuResource,
        gpuResource + ".shared");
  }

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
        gpuResource,
        sharedGpuResource);
  }

  /** The same settings with runtime pods mounting model directories under {@code path}. */
  public ControllerConfig withModelsMountPath(String path) {
    return new ControllerConfig(
        namespace,
        runtimeImage,
        runtimePort,
        path,
        arbiterSocketDir,
        acceleratorNodeSelector,
        gpuResource,
        sharedGpuResource);
  }

  /** The same settings with the node's arbiter sockets in {@code dir}. */
  public ControllerConfig withArbiterSocketDir(String dir) {
    return new ControllerConfig(
        namespace,
        runtimeImage,
        runtimePort,
        modelsMountPath,
        dir,
        acceleratorNodeSelector,
        gpuResource,
        sharedGpuResource);
  }
}
