package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminKeyFileTest {
  @TempDir Path dir;

  @Test
  void shouldMakeAPrivateRandomKeyOnceAndReuseIt() throws Exception {
    Path file = dir.resolve("kairos/admin-key");
    String key = AdminKeyFile.readOrCreate(file);
    assertThat(key).hasSizeGreaterThanOrEqualTo(40);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(AdminKeyFile.readOrCreate(file)).isEqualTo(key);
    assertThat(AdminKeyFile.readOrCreate(dir.resolve("other"))).isNotEqualTo(key);
  }

  @Test
  void shouldRefuseAFileWithAShortKey() throws Exception {
    Path file = dir.resolve("admin-key");
    Files.writeString(file, "short\n");
    assertThatThrownBy(() -> AdminKeyFile.readOrCreate(file))
        .hasMessageContaining("fewer than 16 characters");
  }
}
