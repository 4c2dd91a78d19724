package dev.kairos.runtime.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustedPredictorsTest {
  @TempDir Path dir;

  private Path jar(String name, String bytes) throws Exception {
    return Files.writeString(dir.resolve(name), bytes);
  }

  @Test
  void shouldTrustWhatIsAddedWhileItRunsAndNothingBeforeTheFileExists() throws Exception {
    Path file = dir.resolve("trusted");
    Path a = jar("a.jar", "a bytes");
    Path b = jar("b.jar", "b bytes");
    TrustedPredictors trusted = TrustedPredictors.read(file);
    assertThat(trusted.trusts(a)).isFalse();

    TrustedPredictors.add(file, TrustedPredictors.sha256(a), "a v1");
    assertThat(trusted.trusts(a)).isTrue();
    assertThat(trusted.trusts(b)).isFalse();

    TrustedPredictors.add(file, TrustedPredictors.sha256(b), "b v1");
    assertThat(trusted.trusts(a)).isTrue();
    assertThat(trusted.trusts(b)).isTrue();
    assertThat(Files.readAllLines(file))
        .contains(TrustedPredictors.sha256(a) + "  a_v1", TrustedPredictors.sha256(b) + "  b_v1");

    Files.delete(file);
    assertThat(trusted.trusts(a)).as("file gone").isFalse();
  }

  @Test
  void shouldTrustTheBytesNotTheName() throws Exception {
    Path file = dir.resolve("trusted");
    Path a = jar("a.jar", "a bytes");
    TrustedPredictors.add(file, TrustedPredictors.sha256(a), "a");
    TrustedPredictors trusted = TrustedPredictors.read(file);

    Files.writeString(a, "rebuilt bytes");

    assertThat(trusted.trusts(a)).isFalse();
  }

  @Test
  void shouldRefuseAMalformedFileAtStartAndTrustNothingWhenItBreaksLater() throws Exception {
    Path file = dir.resolve("trusted");
    Path a = jar("a.jar", "a bytes");
    Files.writeString(file, "not-a-digest a.jar\n");
    assertThatThrownBy(() -> TrustedPredictors.read(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 1")
        .hasMessageContaining("must start with a SHA-256 digest");

    Files.writeString(file, "# mine\n" + TrustedPredictors.sha256(a) + "  a.jar\n");
    TrustedPredictors trusted = TrustedPredictors.read(file);
    assertThat(trusted.trusts(a)).isTrue();

    Files.writeString(file, TrustedPredictors.sha256(a) + "  a.jar\nbroken line\n");
    assertThat(trusted.trusts(a)).as("never the old list").isFalse();
  }

  @Test
  void shouldRefuseToAddSomethingThatIsNotADigest() {
    assertThatThrownBy(() -> TrustedPredictors.add(dir.resolve("t"), "abc", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a SHA-256 digest");
  }
}
