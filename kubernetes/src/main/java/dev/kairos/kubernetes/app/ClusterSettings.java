package dev.kairos.kubernetes.app;

import dev.kairos.kubernetes.leader.LeaderElectionSettings;
import dev.kairos.kubernetes.reconcile.ControllerConfig;
import dev.kairos.sdk.model.Durations;
import dev.kairos.sdk.replica.ReplicaToken;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The settings of the cluster processes, read from environment variables (the {@code kairos-config}
 * ConfigMap plus the downward API). A bad value names its variable.
 *
 * @param namespace {@code KAIROS_NAMESPACE}: where Models live (default {@code kairos})
 * @param identity {@code KAIROS_POD_NAME}: this instance in the leader election (default: the host
 *     name)
 * @param controller {@code KAIROS_RUNTIME_IMAGE}, {@code KAIROS_RUNTIME_PORT}, {@code
 *     KAIROS_MODELS_MOUNT_PATH}, {@code KAIROS_ARBITER_SOCKET_DIR}, {@code
 *     KAIROS_ACCELERATOR_NODE_SELECTOR} ({@code k=v,k=v}), {@code KAIROS_GPU_RESOURCE}, {@code
 *     KAIROS_SHARED_GPU_RESOURCE} (default: the GPU resource + {@code .shared})
 * @param leaderElection {@code KAIROS_LEASE_DURATION}, {@code KAIROS_LEASE_RENEW_DEADLINE}, {@code
 *     KAIROS_LEASE_RETRY_PERIOD}
 * @param gatewayPort {@code KAIROS_GATEWAY_PORT} (default 8080)
 * @param grpcPort {@code KAIROS_GRPC_PORT}: the gateway's OIP gRPC port (default 8081)
 * @param healthPort {@code KAIROS_HEALTH_PORT}: the autoscaler's probe port (default 8081)
 * @param apiKeysFile {@code KAIROS_API_KEYS_FILE}: the gateway's API keys, a mounted Secret that
 *     may appear after the gateway starts (default {@value #DEFAULT_API_KEYS_FILE})
 * @param allowUnauthenticated {@code KAIROS_ALLOW_UNAUTHENTICATED} ({@code true} or {@code false},
 *     default false): serve inference without keys while the keys file is absent; otherwise the
 *     gateway refuses inference (401) until the file is there
 * @param replicaToken {@code KAIROS_REPLICA_TOKEN_FILE} or {@code KAIROS_REPLICA_TOKEN}: the secret
 *     gateways show runtime replicas and the autoscaler's {@code /demand}, or null for none
 */
public record ClusterSettings(
    String namespace,
    String identity,
    ControllerConfig controller,
    LeaderElectionSettings leaderElection,
    int gatewayPort,
    int grpcPort,
    int healthPort,
    Path apiKeysFile,
    boolean allowUnauthenticated,
    ReplicaToken replicaToken) {
  /** Where the gateway manifest mounts the {@code kairos-api-keys} Secret. */
  public static final String DEFAULT_API_KEYS_FILE = "/etc/kairos/keys/api-keys";

  public static ClusterSettings from(Map<String, String> env, String hostName) {
    String ns = env.getOrDefault("KAIROS_NAMESPACE", "kairos");
    String identity = env.getOrDefault("KAIROS_POD_NAME", hostName);
    ControllerConfig d = ControllerConfig.defaults(ns);
    ControllerConfig controller;
    try {
      controller =
          new ControllerConfig(
              ns,
              env.getOrDefault("KAIROS_RUNTIME_IMAGE", d.runtimeImage()),
              port(env, "KAIROS_RUNTIME_PORT", d.runtimePort()),
              env.getOrDefault("KAIROS_MODELS_MOUNT_PATH", d.modelsMountPath()),
              env.getOrDefault("KAIROS_ARBITER_SOCKET_DIR", d.arbiterSocketDir()),
              selector(env, "KAIROS_ACCELERATOR_NODE_SELECTOR", d.acceleratorNodeSelector()),
              env.getOrDefault("KAIROS_GPU_RESOURCE", d.gpuResource()),
              env.getOrDefault(
                  "KAIROS_SHARED_GPU_RESOURCE",
                  env.getOrDefault("KAIROS_GPU_RESOURCE", d.gpuResource()) + ".shared"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("controller settings: " + e.getMessage(), e);
    }
    LeaderElectionSettings ld = LeaderElectionSettings.defaults(ns, identity);
    LeaderElectionSettings leader =
        new LeaderElectionSettings(
            ns,
            ld.leaseName(),
            identity,
            duration(env, "KAIROS_LEASE_DURATION", ld.leaseDuration()),
            duration(env, "KAIROS_LEASE_RENEW_DEADLINE", ld.renewDeadline()),
            duration(env, "KAIROS_LEASE_RETRY_PERIOD", ld.retryPeriod()),
            true);
    return new ClusterSettings(
        ns,
        identity,
        controller,
        leader,
        port(env, "KAIROS_GATEWAY_PORT", 8080),
        port(env, "KAIROS_GRPC_PORT", 8081),
        port(env, "KAIROS_HEALTH_PORT", 8081),
        Path.of(env.getOrDefault("KAIROS_API_KEYS_FILE", DEFAULT_API_KEYS_FILE)),
        bool(env, "KAIROS_ALLOW_UNAUTHENTICATED"),
        ReplicaToken.fromEnvironment(env).orElse(null));
  }

  private static boolean bool(Map<String, String> env, String key) {
    String v = env.get(key);
    if (v == null || v.isBlank()) {
      return false;
    }
    return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException(key + " = '" + v + "', must be true or false");
    };
  }

  private static int port(Map<String, String> env, String key, int dflt) {
    String v = env.get(key);
    if (v == null) {
      return dflt;
    }
    try {
      int p = Integer.parseInt(v.trim());
      if (p >= 1 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(key + " = '" + v + "', must be a port 1..65535");
  }

  private static Duration duration(Map<String, String> env, String key, Duration dflt) {
    String v = env.get(key);
    if (v == null) {
      return dflt;
    }
    try {
      return Durations.parse(v.trim());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(key + " = '" + v + "', must be a duration like 15s");
    }
  }

  private static Map<String, String> selector(
      Map<String, String> env, String key, Map<String, String> dflt) {
    String v = env.get(key);
    if (v == null) {
      return dflt;
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : v.split(",")) {
      String[] kv = pair.trim().split("=", 2);
      if (kv.length != 2 || kv[0].isBlank()) {
        throw new IllegalArgumentException(
            key + " = '" + v + "', must be label=value pairs separated by commas");
      }
      out.put(kv[0].trim(), kv[1].trim());
    }
    return out;
  }
}
