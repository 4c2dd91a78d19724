package dev.kairos.runtime.host;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Java predictor bundles an operator trusts to share a runtime host: their SHA-256 digests, one
 * per line of a file in {@code sha256sum}'s format ({@code <64 hex digits> [name]}; {@code #}
 * starts a comment). Trust belongs to the jar's bytes, not to a name or a field its author writes:
 * a rebuilt jar is a new, untrusted bundle until its digest is listed.
 *
 * <p>The platform adds a line for each Java predictor bundle it accepts ({@link #add}) while its
 * hosts run, so a host reads the file again whenever it changed. A file that does not exist trusts
 * nothing; one that no longer reads trusts nothing until it is mended (never the old list).
 */
public final class TrustedPredictors {
  private static final Logger LOG = LoggerFactory.getLogger(TrustedPredictors.class);
  private static final TrustedPredictors NONE = new TrustedPredictors(null);

  private final Path file;
  private FileVersion readVersion;
  private Set<String> digests = Set.of();

  private TrustedPredictors(Path file) {
    this.file = file;
  }

  /** Trusts no jar: Java predictors never share a host. */
  public static TrustedPredictors none() {
    return NONE;
  }

  /**
   * The digests listed in {@code file}, now and as it changes.
   *
   * @throws IllegalArgumentException naming the file and line of a malformed entry, or a file that
   *     exists but cannot be read
   */
  public static TrustedPredictors read(Path file) {
    TrustedPredictors t = new TrustedPredictors(file);
    FileVersion version = FileVersion.of(file);
    t.digests = version == null ? Set.of() : parse(file);
    t.readVersion = version;
    return t;
  }

  /**
   * Adds a jar's digest to {@code file} (created if missing), atomically: a host reading the file
   * meanwhile sees the old list or the new one.
   *
   * @param digest the jar's {@link #sha256}
   * @param label written after the digest, for the operator who reads the file
   */
  public static synchronized void add(Path file, String digest, String label) throws IOException {
    if (!digest.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("'" + digest + "' is not a SHA-256 digest");
    }
    String line = digest + "  " + label.replaceAll("\\s+", "_");
    List<String> lines = new ArrayList<>();
    if (Files.exists(file)) {
      lines.addAll(Files.readAllLines(file));
    } else {
      lines.add("# Java predictors trusted to share a runtime host (sha256sum format)");
    }
    lines.add(line);
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".trusted-predictors", ".tmp");
    try {
      Files.write(tmp, lines);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Whether the jar's digest is listed. */
  public boolean trusts(Path jar) {
    Set<String> listed = current();
    return !listed.isEmpty() && listed.contains(sha256(jar));
  }

  private synchronized Set<String> current() {
    if (file == null) {
      return Set.of();
    }
    FileVersion version = FileVersion.of(file);
    if (version == null) {
      digests = Set.of();
    } else if (!version.equals(readVersion)) {
      try {
        digests = parse(file);
      } catch (IllegalArgumentException e) {
        LOG.warn("no Java predictor is trusted to share this host: {}", e.getMessage());
        digests = Set.of();
      }
    }
    readVersion = version;
    return digests;
  }

  /** What tells one state of the file from the next: it changed when any of these did. */
  private record FileVersion(FileTime modified, long size, Object key) {
    /** The file's version, or null when it does not exist. */
    static FileVersion of(Path file) {
      try {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return new FileVersion(a.lastModifiedTime(), a.size(), a.fileKey());
      } catch (NoSuchFileException e) {
        return null;
      } catch (IOException e) {
        throw new IllegalArgumentException(file + ": cannot be read: " + e.getMessage());
      }
    }
  }

  private static Set<String> parse(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot be read: " + e.getMessage());
    }
    Set<String> out = new TreeSet<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String digest = line.split("\\s+")[0].toLowerCase(Locale.ROOT);
      if (!digest.matches("[0-9a-f]{64}")) {
        throw new IllegalArgumentException(
            file + ": line " + (i + 1) + " = '" + line + "', must start with a SHA-256 digest");
      }
      out.add(digest);
    }
    return Set.copyOf(out);
  }

  /** The SHA-256 of a file's bytes, in lower-case hex as {@code sha256sum} writes it. */
  public static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
