package dev.kairos.sdk.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicaTokenTest {
  @TempDir Path dir;

  @Test
  void shouldPreferTheFileToTheVariableAndTrimIt() throws Exception {
    Path file = dir.resolve("token");
    Files.writeString(file, "from-the-file-0123456789\n");
    ReplicaToken t =
        ReplicaToken.fromEnvironment(
                Map.of(
                    ReplicaToken.FILE_ENV,
                    file.toString(),
                    ReplicaToken.ENV,
                    "from-the-variable-0123456789"))
            .orElseThrow();
    assertThat(t.matches("from-the-file-0123456789")).isTrue();
    assertThat(t.matches("from-the-variable-0123456789")).isFalse();
  }

  @Test
  void shouldBeAbsentWhenNeitherIsSet() {
    assertThat(ReplicaToken.fromEnvironment(Map.of())).isEmpty();
  }

  @Test
  void shouldRefuseAMissingOrShortTokenFileNamingTheVariable() throws Exception {
    Map<String, String> missing = Map.of(ReplicaToken.FILE_ENV, dir.resolve("nope").toString());
    assertThatThrownBy(() -> ReplicaToken.fromEnvironment(missing))
        .hasMessageContaining(ReplicaToken.FILE_ENV)
        .hasMessageContaining("cannot read");
    Path shortFile = Files.writeString(dir.resolve("short"), "abc");
    assertThatThrownBy(
            () -> ReplicaToken.fromEnvironment(Map.of(ReplicaToken.FILE_ENV, shortFile.toString())))
        .hasMessageContaining("at least 16");
  }

  @Test
  void shouldMatchOnlyItsOwnSecretAndNeverPrintIt() {
    ReplicaToken a = ReplicaToken.random();
    ReplicaToken b = ReplicaToken.random();
    assertThat(a.secret()).hasSize(64).isNotEqualTo(b.secret());
    assertThat(a.matches(a.secret())).isTrue();
    assertThat(a.matches(b.secret())).isFalse();
    assertThat(a.matches(null)).isFalse();
    assertThat(a.toString()).doesNotContain(a.secret());
  }

  @Test
  void shouldExportItselfToAChildInPlaceOfTheParentsFile() {
    ReplicaToken t = ReplicaToken.random();
    Map<String, String> env = new HashMap<>(Map.of(ReplicaToken.FILE_ENV, "/etc/parent-token"));
    t.export(env);
    assertThat(env).doesNotContainKey(ReplicaToken.FILE_ENV);
    assertThat(ReplicaToken.fromEnvironment(env).orElseThrow().matches(t.secret())).isTrue();
  }
}
