package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.sdk.replica.ReplicaToken;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicaCommandTest {
  @Test
  void shouldPutMoreJvmOptionsAfterItsOwnAndKeepEverythingElse() {
    ReplicaToken token = ReplicaToken.random();
    ReplicaCommand replicas =
        new ReplicaCommand(List.of("-Xmx512m", "-XX:+UseSerialGC"), 5, token, "0,1", "");

    ReplicaCommand hosts =
        replicas.withMoreJvmOptions(List.of("-XX:CompileThresholdScaling=4", "-Xmx256m"));

    assertThat(hosts.jvmOptions())
        .containsExactly(
            "-Xmx512m", "-XX:+UseSerialGC", "-XX:CompileThresholdScaling=4", "-Xmx256m");
    assertThat(hosts.nice()).isEqualTo(5);
    assertThat(hosts.token()).isSameAs(token);
    assertThat(hosts.cpuList()).isEqualTo("0,1");
    // the JVM reads them in order, so the added ones win over the replicas' (-Xmx256m here)
    List<String> line = hosts.commandLine(List.of("--shared-host"));
    assertThat(line.indexOf("-Xmx256m")).isGreaterThan(line.indexOf("-Xmx512m"));
    assertThat(line.indexOf("-XX:CompileThresholdScaling=4")).isLessThan(line.indexOf("-cp"));
    assertThat(replicas.jvmOptions()).containsExactly("-Xmx512m", "-XX:+UseSerialGC");
  }

  @Test
  void shouldAddNothingForAnEmptyOptionString() {
    // what `--host-jvm-options ''` splits into: hosts then run with the replicas' options alone
    ReplicaCommand replicas = new ReplicaCommand(List.of("-Xmx512m"), 0);

    assertThat(replicas.withMoreJvmOptions(List.of("".trim().split("\\s+"))).jvmOptions())
        .containsExactly("-Xmx512m");
  }
}
