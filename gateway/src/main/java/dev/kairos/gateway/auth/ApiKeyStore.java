package dev.kairos.gateway.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API keys in force, reloadable from their file without a restart. A file that fails to parse
 * leaves the previous keys in force.
 */
public final class ApiKeyStore {
  private static final Logger log = LoggerFactory.getLogger(ApiKeyStore.class);

  private final Path file;
  private final List<ApiKey> extra;
  private volatile ApiKeys keys;
  private volatile boolean enforced;
  private volatile FileTime loadedStamp;

  private ApiKeyStore(Path file, ApiKeys keys, List<ApiKey> extra) {
    this.file = file;
    this.extra = List.copyOf(extra);
    this.keys = merge(keys);
    this.enforced = !keys.isEmpty();
  }

  /** Keys that never change (tests, or keys made in memory). */
  public static ApiKeyStore fixed(ApiKeys keys) {
    return new ApiKeyStore(null, keys, List.of());
  }

  /** Keys read from a file now and on every {@link #reload()}. */
  public static ApiKeyStore fromFile(Path file) throws IOException {
    return fromFile(file, List.of());
  }

  /**
   * Keys read from a file (may be null: no file), plus keys given in memory that every reload keeps
   * (e.g. the admin key of {@code kairos serve}). Keys given only in memory do not make the public
   * port ask for keys; a keys file does.
   */
  public static ApiKeyStore fromFile(Path file, List<ApiKey> extra) throws IOException {
    ApiKeyStore s = new ApiKeyStore(file, ApiKeys.none(), extra);
    s.reload();
    return s;
  }

  public ApiKeys current() {
    return keys;
  }

  /** Whether inference requests must present a key (a keys file or fixed keys are in force). */
  public boolean enforced() {
    return enforced;
  }

  private ApiKeys merge(ApiKeys base) {
    if (extra.isEmpty()) {
      return base;
    }
    List<ApiKey> all = new ArrayList<>(base.all());
    all.addAll(extra);
    return new ApiKeys(all);
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
    ApiKeys fromFile = ApiKeys.load(file);
    ApiKeys next = merge(fromFile);
    keys = next;
    enforced = true;
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
