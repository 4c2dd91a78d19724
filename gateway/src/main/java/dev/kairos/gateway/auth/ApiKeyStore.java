package dev.kairos.gateway.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API keys in force, reloadable from their file without a restart.
 *
 * <p>It fails closed: once a keys file is expected, inference needs a key whether the file is
 * there, is malformed (the previous keys stay) or has gone (no key from the file works until it is
 * back). Only a store made {@linkplain #watching(Path, List, boolean) open while the file is
 * absent} lets inference through without a key, and only until the file appears.
 */
public final class ApiKeyStore {
  private static final Logger log = LoggerFactory.getLogger(ApiKeyStore.class);

  private final Path file;
  private final List<ApiKey> extra;
  private final boolean openWithoutFile;
  private volatile ApiKeys keys;
  private volatile boolean enforced;

  /** The file's bytes last applied; null while the file is absent (or before the first look). */
  private byte[] applied;

  private boolean looked;

  private ApiKeyStore(Path file, ApiKeys keys, List<ApiKey> extra, boolean openWithoutFile) {
    this.file = file;
    this.extra = List.copyOf(extra);
    this.openWithoutFile = openWithoutFile;
    this.keys = merge(keys);
    this.enforced = file != null ? !openWithoutFile : !keys.isEmpty();
  }

  /** Keys that never change (tests, or keys made in memory). */
  public static ApiKeyStore fixed(ApiKeys keys) {
    return new ApiKeyStore(null, keys, List.of(), false);
  }

  /** Keys read from a file now and on every {@link #reload()}. */
  public static ApiKeyStore fromFile(Path file) throws IOException {
    return fromFile(file, List.of());
  }

  /**
   * Keys read from a file (may be null: no file), plus keys given in memory that every reload keeps
   * (e.g. the admin key of {@code kairos serve}). Keys given only in memory do not make the public
   * port ask for keys; a keys file does, from now on, even if it later goes away.
   *
   * @throws IOException if the file cannot be read now (a missing file named by the operator is a
   *     mistake to report at start)
   * @throws IllegalArgumentException if it is malformed
   */
  public static ApiKeyStore fromFile(Path file, List<ApiKey> extra) throws IOException {
    ApiKeyStore s = new ApiKeyStore(file, ApiKeys.none(), extra, false);
    if (file != null) {
      s.reload();
    }
    return s;
  }

  /**
   * Keys from a file that may appear, change or disappear at any time (a Secret mounted in a pod),
   * polled by {@link #reloadIfChanged()}. While the file is absent, inference is refused (401)
   * unless {@code openWithoutFile}, the operator's explicit choice to run without authentication.
   */
  public static ApiKeyStore watching(Path file, List<ApiKey> extra, boolean openWithoutFile) {
    ApiKeyStore s =
        new ApiKeyStore(
            java.util.Objects.requireNonNull(file, "file"), ApiKeys.none(), extra, openWithoutFile);
    s.reloadIfChanged();
    return s;
  }

  public ApiKeys current() {
    return keys;
  }

  /** Whether inference requests must present a key. */
  public boolean enforced() {
    return enforced;
  }

  /** The keys file, or null when keys are only in memory. */
  public Path file() {
    return file;
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
   * @throws NoSuchFileException if the file is gone (its keys are dropped: fail closed)
   * @throws IllegalArgumentException if the file is malformed (the old keys stay)
   */
  public synchronized int reload() throws IOException {
    if (file == null) {
      return keys.all().size();
    }
    byte[] content;
    try {
      content = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      absent();
      throw e;
    }
    apply(content);
    return keys.all().size();
  }

  /**
   * Applies the file when it appeared, changed or went away since the last look; logs and keeps the
   * old keys when it is malformed or unreadable. Cheap enough to call every few seconds.
   */
  public synchronized void reloadIfChanged() {
    if (file == null) {
      return;
    }
    byte[] content;
    try {
      content = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      if (applied != null || !looked) {
        absent();
      }
      return;
    } catch (IOException e) {
      log.warn("api keys not reloaded: file={} error={}", file, e.toString());
      return;
    }
    if (looked && Arrays.equals(content, applied)) {
      return;
    }
    try {
      apply(content);
    } catch (IllegalArgumentException e) {
      log.warn("api keys not reloaded: file={} error={}", file, e.getMessage());
    }
  }

  private void apply(byte[] content) {
    looked = true;
    // A file is there: from now on keys are required, even if this one is malformed.
    enforced = true;
    applied = content;
    ApiKeys next =
        merge(
            ApiKeys.parse(
                file,
                new String(content, java.nio.charset.StandardCharsets.UTF_8).lines().toList()));
    keys = next;
    log.info("api keys loaded: file={} keys={}", file, next.all().size());
  }

  private void absent() {
    looked = true;
    applied = null;
    keys = merge(ApiKeys.none());
    enforced = !openWithoutFile;
    if (enforced) {
      log.warn("api keys file {} is absent: inference is refused (401) until it appears", file);
    } else {
      log.warn(
          "api keys file {} is absent and unauthenticated inference is allowed: anyone who reaches"
              + " the gateway may call every model",
          file);
    }
  }
}
