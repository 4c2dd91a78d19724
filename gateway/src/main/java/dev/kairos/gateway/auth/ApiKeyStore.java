package dev.kairos.gateway.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API keys in force, reloadable from their file without a restart. A file that fails to parse
 * leaves the previous keys in force.
 */
public final class ApiKeyStore {
  private static final Logger log = LoggerFactory.getLogger(ApiKeyStore.class);

  private final Path file;
  private volatile ApiKeys keys;
  private volatile FileTime loadedStamp;

  private ApiKeyStore(Path file, ApiKeys keys) {
    this.file = file;
    this.keys = keys;
  }

  /** Keys that never change (tests, or keys made in memory). */
  public static ApiKeyStore fixed(ApiKeys keys) {
    return new ApiKeyStore(null, keys);
  }

  /** Keys read from a file now and on every {@link #reload()}. */
  public static ApiKeyStore fromFile(Path file) throws IOException {
    ApiKeyStore s = new ApiKeyStore(file, ApiKeys.none());
    s.reload();
    return s;
  }

  public ApiKeys current() {
    return keys;
  }

  /** Whether requests must present a key (there is at least one key). */
  public boolean enforced() {
    return !keys.isEmpty();
  }

  /**
   * Reads the file again.
   *
   * @return the number of keys now in force
   * @throws IllegalArgumentException if the file is malformed (the old keys stay)
   */
  public synchronized int reload() throws IOException {
    if (file == null) {
      return keys.all().size();
    }
    FileTime stamp = Files.getLastModifiedTime(file);
    ApiKeys next = ApiKeys.load(file);
    keys = next;
    loadedStamp = stamp;
    log.info("api keys loaded: file={} keys={}", file, next.all().size());
    return next.all().size();
  }

  /** Reloads when the file's modification time changed; logs and keeps the old keys on error. */
  public void reloadIfChanged() {
    if (file == null) {
      return;
    }
    try {
      if (!Files.getLastModifiedTime(file).equals(loadedStamp)) {
        reload();
      }
    } catch (IOException | IllegalArgumentException e) {
      log.warn("api keys not reloaded: file={} error={}", file, e.getMessage());
    }
  }
}
