package dev.kairos.kubernetes.reconcile;

import dev.kairos.kubernetes.crd.Model;
import dev.kairos.kubernetes.crd.ModelLabels;
import dev.kairos.kubernetes.crd.RuntimeSpec;
import dev.kairos.sdk.replica.ReplicaToken;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The Kubernetes objects one Model becomes: a ConfigMap with its {@code model.yaml}, and per
 * version a runtime Deployment and a Service. Pure functions of (Model, document, config).
 */
public final class RuntimeObjects {
  public static final String CONFIG_HASH = "kairos.dev/config-hash";

  /** The variable naming the node arbiter's socket to a runtime pod that shares its device. */
  public static final String ARBITER_SOCKET_ENV = "KAIROS_ARBITER_SOCKET";

  /** Batches a runtime pod runs at once; with the Model's batching, what one pod admits. */
  public static final int WORKERS = 1;

  static final String CONFIG_KEY = "model.yaml";

  /**
   * The Secret holding the token gateways show replicas (key {@value #REPLICA_TOKEN_KEY}): a
   * replica answers only callers that show it, apart from the kubelet's probes. The pod does not
   * start until the Secret exists, so a replica never runs open.
   */
  public static final String REPLICA_TOKEN_SECRET = "kairos-replica-token";

  public static final String REPLICA_TOKEN_KEY = "token";
  static final String REPLICA_TOKEN_DIR = "/etc/kairos/replica-token";

  /** The runtime pods' service account: no API access (see k8s/base/rbac.yaml). */
  public static final String RUNTIME_SERVICE_ACCOUNT = "kairos-runtime";

  private final ControllerConfig config;

  public RuntimeObjects(ControllerConfig config) {
    this.config = config;
  }

  public ConfigMap configMap(Model model, ModelDocument doc) {
    String name = model.getMetadata().getName();
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(ModelLabels.configName(name))
        .withNamespace(model.getMetadata().getNamespace())
        .addToLabels(ModelLabels.MODEL, name)
        .addToLabels(ModelLabels.MANAGED_BY, ModelLabels.MANAGER)
        .withOwnerReferences(owner(model))
        .endMetadata()
        .addToData(CONFIG_KEY, doc.yaml())
        .build();
  }

  public Service service(Model model, String version) {
    String name = model.getMetadata().getName();
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(ModelLabels.objectName(name, version))
        .withNamespace(model.getMetadata().getNamespace())
        .withLabels(ModelLabels.labels(name, version))
        .withOwnerReferences(owner(model))
        .endMetadata()
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(ModelLabels.selector(name, version))
        .addNewPort()
        .withName("http")
        .withProtocol("TCP")
        .withPort(config.runtimePort())
        .withTargetPort(new IntOrString("http"))
        .endPort()
        .endSpec()
        .build();
  }

  /**
   * The runtime Deployment of a version with {@code replicas} replicas. The pod template carries a
   * hash of the model's configuration and image, so a spec change rolls the pods.
   */
  public Deployment deployment(Model model, ModelDocument doc, String version, int replicas) {
    String name = model.getMetadata().getName();
    String dir = config.modelsMountPath() + "/" + name;
    RuntimeSpec runtime = model.getSpec().getRuntime();
    String image =
        runtime != null && runtime.getImage() != null ? runtime.getImage() : config.runtimeImage();
    boolean gpu = doc.config().device().isGpu();
    boolean shared = doc.config().device().isShared();

    List<String> args =
        new ArrayList<>(
            List.of(
                "--model-dir",
                dir,
                "--version",
                version,
                "--host",
                "0.0.0.0",
                "--port",
                Integer.toString(config.runtimePort())));
    ResourceRequirements resources = resources(runtime, gpu, shared);
    args.add("--cores");
    args.add(Integer.toString(cores(doc.config().device().threads(), resources)));
    args.add("--workers");
    args.add(Integer.toString(WORKERS));
    String artifactSubPath =
        doc.artifact().subPath().isEmpty() ? version : doc.artifact().subPath() + "/" + version;
    ContainerBuilder container =
        new ContainerBuilder()
            .withName("runtime")
            .withImage(image)
            .withArgs(args)
            .addNewPort()
            .withName("http")
            .withContainerPort(config.runtimePort())
            .withProtocol("TCP")
            .endPort()
            .addNewEnv()
            .withName("KAIROS_MODEL")
            .withValue(name)
            .endEnv()
            .addNewEnv()
            .withName("KAIROS_MODEL_VERSION")
            .withValue(version)
            .endEnv()
            .addNewEnv()
            .withName(ReplicaToken.FILE_ENV)
            .withValue(REPLICA_TOKEN_DIR + "/" + REPLICA_TOKEN_KEY)
            .endEnv()
            .withNewStartupProbe()
            .withNewHttpGet()
            .withPath("/v2/health/live")
            .withPort(new IntOrString("http"))
            .endHttpGet()
            .withPeriodSeconds(2)
            .withFailureThreshold(150)
            .endStartupProbe()
            .withNewLivenessProbe()
            .withNewHttpGet()
            .withPath("/v2/health/live")
            .withPort(new IntOrString("http"))
            .endHttpGet()
            .withPeriodSeconds(10)
            .withFailureThreshold(3)
            .endLivenessProbe()
            .withNewReadinessProbe()
            .withNewHttpGet()
            .withPath("/v2/health/ready")
            .withPort(new IntOrString("http"))
            .endHttpGet()
            .withPeriodSeconds(2)
            .withFailureThreshold(2)
            .endReadinessProbe()
            .withResources(resources)
            .withNewSecurityContext()
            .withAllowPrivilegeEscalation(false)
            .withNewCapabilities()
            .withDrop("ALL")
            .endCapabilities()
            .endSecurityContext()
            .addToVolumeMounts(
                new VolumeMountBuilder().withName("model-dir").withMountPath(dir).build(),
                new VolumeMountBuilder()
                    .withName("model-config")
                    .withMountPath(dir + "/" + CONFIG_KEY)
                    .withSubPath(CONFIG_KEY)
                    .withReadOnly(true)
                    .build(),
                new VolumeMountBuilder()
                    .withName("artifacts")
                    .withMountPath(dir + "/" + version)
                    .withSubPath(artifactSubPath)
                    .withReadOnly(true)
                    .build(),
                new VolumeMountBuilder()
                    .withName("replica-token")
                    .withMountPath(REPLICA_TOKEN_DIR)
                    .withReadOnly(true)
                    .build());
    PodSpecBuilder pod =
        new PodSpecBuilder()
            .withServiceAccountName(RUNTIME_SERVICE_ACCOUNT)
            .withAutomountServiceAccountToken(false)
            .withTerminationGracePeriodSeconds(30L)
            .withNewSecurityContext()
            .withRunAsNonRoot(true)
            .withRunAsUser(10001L)
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile()
            .endSecurityContext()
            .addToVolumes(
                new VolumeBuilder().withName("model-dir").withNewEmptyDir().endEmptyDir().build(),
                new VolumeBuilder()
                    .withName("model-config")
                    .withNewConfigMap()
                    .withName(ModelLabels.configName(name))
                    .endConfigMap()
                    .build(),
                doc.artifact().volume("artifacts"),
                new VolumeBuilder()
                    .withName("replica-token")
                    .withNewSecret()
                    .withSecretName(REPLICA_TOKEN_SECRET)
                    .withOptional(false)
                    .endSecret()
                    .build());
    if (shared) {
      // The node's arbiter time-slices the device among the pods that share it: each pod reaches
      // it through the socket in the host folder its DaemonSet serves.
      container
          .addToVolumeMounts(
              new VolumeMountBuilder()
                  .withName("arbiter")
                  .withMountPath(config.arbiterSocketDir())
                  .build())
          .addNewEnv()
          .withName(ARBITER_SOCKET_ENV)
          .withValue(arbiterSocket(gpu))
          .endEnv();
      pod.addToVolumes(
          new VolumeBuilder()
              .withName("arbiter")
              .withNewHostPath()
              .withPath(config.arbiterSocketDir())
              .withType("DirectoryOrCreate")
              .endHostPath()
              .build());
    }
    if (gpu || shared) {
      // the arbiter DaemonSet runs on accelerator nodes only
      pod.withNodeSelector(config.acceleratorNodeSelector());
    }
    if (gpu) {
      pod.addToTolerations(
          new TolerationBuilder()
              .withKey(config.gpuResource())
              .withOperator("Exists")
              .withEffect("NoSchedule")
              .build());
    }
    Container built = container.build();
    pod.withContainers(built);
    String hash = hash(doc.yaml() + "\n" + image + "\n" + built.getResources());
    Map<String, String> labels = ModelLabels.labels(name, version);
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(ModelLabels.objectName(name, version))
        .withNamespace(model.getMetadata().getNamespace())
        .withLabels(labels)
        .withOwnerReferences(owner(model))
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withRevisionHistoryLimit(3)
        .withNewSelector()
        .withMatchLabels(ModelLabels.selector(name, version))
        .endSelector()
        .withNewStrategy()
        .withType("RollingUpdate")
        .withNewRollingUpdate()
        .withMaxSurge(new IntOrString(1))
        .withMaxUnavailable(new IntOrString(0))
        .endRollingUpdate()
        .endStrategy()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels)
        .addToAnnotations(CONFIG_HASH, hash)
        .endMetadata()
        .withSpec(pod.build())
        .endTemplate()
        .endSpec()
        .build();
  }

  /** The node arbiter's socket as the runtime pod sees it. */
  String arbiterSocket(boolean gpu) {
    return config.arbiterSocketDir()
        + "/"
        + (gpu ? ControllerConfig.GPU_ARBITER_SOCKET : ControllerConfig.CPU_ARBITER_SOCKET);
  }

  /**
   * The pod's resources: a GPU model that has its card to itself asks a whole one; one that shares
   * asks a time-sliced share instead, so several sharing pods fit on one card and the arbiter, not
   * the scheduler, decides who runs when. A resource the Model names itself is left as it is.
   */
  private ResourceRequirements resources(RuntimeSpec runtime, boolean gpu, boolean shared) {
    ResourceRequirementsBuilder r =
        runtime != null && runtime.getResources() != null
            ? new ResourceRequirementsBuilder(runtime.getResources())
            : new ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity("1"))
                .addToRequests("memory", new Quantity("1Gi"))
                .addToLimits("memory", new Quantity("2Gi"));
    ResourceRequirements built = r.build();
    Map<String, Quantity> limits = built.getLimits() == null ? Map.of() : built.getLimits();
    boolean named =
        limits.containsKey(config.gpuResource()) || limits.containsKey(config.sharedGpuResource());
    if (gpu && !named) {
      r.addToLimits(shared ? config.sharedGpuResource() : config.gpuResource(), new Quantity("1"));
    }
    return r.build();
  }

  /**
   * Engine cores of a replica: {@code device.threads} when set, else the CPU the pod asks for
   * (rounded up): the JVM would otherwise see every core of the node and oversubscribe it.
   */
  static int cores(int threads, ResourceRequirements resources) {
    if (threads > 0) {
      return threads;
    }
    Quantity cpu = resources.getRequests() == null ? null : resources.getRequests().get("cpu");
    if (cpu == null && resources.getLimits() != null) {
      cpu = resources.getLimits().get("cpu");
    }
    if (cpu == null) {
      return 1;
    }
    return Math.max(
        1, Quantity.getAmountInBytes(cpu).setScale(0, java.math.RoundingMode.CEILING).intValue());
  }

  static OwnerReference owner(Model model) {
    return new OwnerReferenceBuilder()
        .withApiVersion(model.getApiVersion())
        .withKind(model.getKind())
        .withName(model.getMetadata().getName())
        .withUid(model.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  static String hash(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
