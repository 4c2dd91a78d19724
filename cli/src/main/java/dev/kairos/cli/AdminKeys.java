package dev.kairos.cli;

import dev.kairos.gateway.auth.ApiKey;
import dev.kairos.gateway.auth.ApiKeyStore;
import dev.kairos.gateway.auth.ApiKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

/** The keys of {@code kairos serve}: the keys file, if any, plus this server's admin key. */
final class AdminKeys {
  private AdminKeys() {}

  /** A fresh random admin key (128 bits, hex). */
  static String newSecret() {
    byte[] b = new byte[16];
    new SecureRandom().nextBytes(b);
    return "kairos-admin-" + HexFormat.of().formatHex(b);
  }

  static ApiKeyStore store(Path keysFile, String adminSecret) {
    ApiKey admin =
        new ApiKey("serve-admin", ApiKeys.sha256Hex(adminSecret), true, List.of("*"), 0, 1);
    try {
      return ApiKeyStore.fromFile(keysFile, List.of(admin));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read API keys file " + keysFile, e);
    }
  }
}
