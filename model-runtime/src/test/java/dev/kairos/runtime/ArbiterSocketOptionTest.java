package dev.kairos.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArbiterSocketOptionTest {
  @Test
  void shouldTakeTheSocketFromTheEnvironmentWhenTheCommandLineNamesNone() {
    Map<String, String> opts = new HashMap<>(Map.of("model-dir", "/models/mlp"));

    RuntimeMain.withArbiterFromEnvironment(
        opts, Map.of(RuntimeMain.ARBITER_SOCKET_ENV, "/var/run/kairos/arbiter.sock"));

    assertThat(opts).containsEntry("arbiter-socket", "/var/run/kairos/arbiter.sock");
  }

  @Test
  void shouldLetTheCommandLineWinOverTheEnvironment() {
    Map<String, String> opts = new HashMap<>(Map.of("arbiter-socket", "/tmp/flag.sock"));

    RuntimeMain.withArbiterFromEnvironment(
        opts, Map.of(RuntimeMain.ARBITER_SOCKET_ENV, "/var/run/kairos/arbiter.sock"));

    assertThat(opts).containsEntry("arbiter-socket", "/tmp/flag.sock");
  }

  @Test
  void shouldRunUnsharedWhenTheVariableIsAbsentOrBlank() {
    Map<String, String> opts = new HashMap<>();

    RuntimeMain.withArbiterFromEnvironment(opts, Map.of(RuntimeMain.ARBITER_SOCKET_ENV, "  "));
    RuntimeMain.withArbiterFromEnvironment(opts, Map.of());

    assertThat(opts).doesNotContainKey("arbiter-socket");
  }
}
