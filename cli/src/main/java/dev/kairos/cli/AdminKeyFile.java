package dev.kairos.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The admin key of {@code kairos serve --console} when none was given: kept in a file that only its
 * owner can read, made with a random secret the first time, reused after (so a restart keeps the
 * console's sign-in). The key is never printed; the file's path is.
 */
final class AdminKeyFile {
  private AdminKeyFile() {}

  static String readOrCreate(Path file) {
    try {
      if (Files.exists(file)) {
        String key = Files.readString(file).trim();
        if (key.length() < 16) {
          throw new IllegalStateException(
              "admin key file " + file + " holds fewer than 16 characters; delete it to make one");
        }
        return key;
      }
      Path dir = file.toAbsolutePath().getParent();
      if (dir != null && !Files.isDirectory(dir)) {
        Files.createDirectories(dir);
        trySetPermissions(dir, "rwx------");
      }
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      String key = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
      Path tmp = Files.createTempFile(dir, ".admin-key", ".tmp");
      trySetPermissions(tmp, "rw-------");
      Files.writeString(tmp, key + "\n");
      try {
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException e) {
        Files.deleteIfExists(tmp);
        return readOrCreate(file); // another serve made it first
      }
      return key;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or make the admin key file " + file, e);
    }
  }

  private static void trySetPermissions(Path p, String perms) throws IOException {
    try {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: the platform's defaults apply
    }
  }
}
