package dev.kairos.kubernetes.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterSettingsTest {
  @Test
  void shouldReadTheConfigMapsVariables() {
    ClusterSettings s =
        ClusterSettings.from(
            Map.of(
                "KAIROS_NAMESPACE", "ml",
                "KAIROS_POD_NAME", "kairos-autoscaler-7d9f-abcde",
                "KAIROS_RUNTIME_IMAGE", "registry/kairos-runtime:1.2",
                "KAIROS_ACCELERATOR_NODE_SELECTOR", "nvidia.com/gpu.present=true, pool=gpu",
                "KAIROS_LEASE_DURATION", "6s",
                "KAIROS_LEASE_RENEW_DEADLINE", "4s",
                "KAIROS_LEASE_RETRY_PERIOD", "1s",
                "KAIROS_GATEWAY_PORT", "9090",
                "KAIROS_GRPC_PORT", "9091",
                "KAIROS_API_KEYS_FILE", "/etc/kairos/keys/api-keys"),
            "host");

    assertThat(s.namespace()).isEqualTo("ml");
    assertThat(s.controller().namespace()).isEqualTo("ml");
    assertThat(s.controller().runtimeImage()).isEqualTo("registry/kairos-runtime:1.2");
    assertThat(s.controller().acceleratorNodeSelector())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("nvidia.com/gpu.present", "true", "pool", "gpu"));
    assertThat(s.leaderElection().identity()).isEqualTo("kairos-autoscaler-7d9f-abcde");
    assertThat(s.leaderElection().leaseDuration()).isEqualTo(Duration.ofSeconds(6));
    assertThat(s.gatewayPort()).isEqualTo(9090);
    assertThat(s.grpcPort()).isEqualTo(9091);
    assertThat(s.healthPort()).isEqualTo(8081);
    assertThat(s.apiKeysFile()).isEqualTo(java.nio.file.Path.of("/etc/kairos/keys/api-keys"));
  }

  @Test
  void shouldUseTheDefaultsWithAnEmptyEnvironment() {
    ClusterSettings s = ClusterSettings.from(Map.of(), "pod-1");

    assertThat(s.namespace()).isEqualTo("kairos");
    assertThat(s.identity()).isEqualTo("pod-1");
    assertThat(s.leaderElection().leaseDuration()).isEqualTo(Duration.ofSeconds(15));
    assertThat(s.controller().runtimePort()).isEqualTo(8080);
    assertThat(s.gatewayPort()).isEqualTo(8080);
    assertThat(s.grpcPort()).isEqualTo(8081);
    assertThat(s.apiKeysFile()).isEqualTo(java.nio.file.Path.of("/etc/kairos/keys/api-keys"));
    assertThat(s.allowUnauthenticated()).isFalse();
    assertThat(s.replicaToken()).isNull();
  }

  @Test
  void shouldOpenInferenceWithoutKeysOnlyWhenToldExactlyTrue() {
    assertThat(
            ClusterSettings.from(Map.of("KAIROS_ALLOW_UNAUTHENTICATED", "true"), "h")
                .allowUnauthenticated())
        .isTrue();
    assertThat(
            ClusterSettings.from(Map.of("KAIROS_ALLOW_UNAUTHENTICATED", "false"), "h")
                .allowUnauthenticated())
        .isFalse();
    assertThatThrownBy(
            () -> ClusterSettings.from(Map.of("KAIROS_ALLOW_UNAUTHENTICATED", "yes please"), "h"))
        .hasMessageContaining("KAIROS_ALLOW_UNAUTHENTICATED = 'yes please', must be true or false");
  }

  @Test
  void shouldNameTheVariableThatIsWrong() {
    assertThatThrownBy(() -> ClusterSettings.from(Map.of("KAIROS_GATEWAY_PORT", "eighty"), "h"))
        .hasMessageContaining("KAIROS_GATEWAY_PORT = 'eighty'");
    assertThatThrownBy(() -> ClusterSettings.from(Map.of("KAIROS_LEASE_DURATION", "long"), "h"))
        .hasMessageContaining("KAIROS_LEASE_DURATION");
    assertThatThrownBy(
            () -> ClusterSettings.from(Map.of("KAIROS_LEASE_RENEW_DEADLINE", "20s"), "h"))
        .hasMessageContaining("renewDeadline = PT20S, must be < leaseDuration");
    assertThatThrownBy(
            () -> ClusterSettings.from(Map.of("KAIROS_ACCELERATOR_NODE_SELECTOR", "gpu"), "h"))
        .hasMessageContaining("KAIROS_ACCELERATOR_NODE_SELECTOR = 'gpu'");
  }
}
