package dev.kairos.runtime.host;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Java predictor bundles an operator trusts to share a runtime host: their SHA-256 digests, one
 * per line of a file in {@code sha256sum}'s format ({@code <64 hex digits> [name]}; {@code #}
 * starts a comment). Trust belongs to the jar's bytes, not to a name or a field its author writes:
 * a rebuilt jar is a new, untrusted bundle until its digest is listed.
 */
public final class TrustedPredictors {
  private static final TrustedPredictors NONE = new TrustedPredictors(Set.of());

  private final Set<String> digests;

  private TrustedPredictors(Set<String> digests) {
    this.digests = Set.copyOf(digests);
  }

  /** Trusts no jar: Java predictors never share a host. */
  public static TrustedPredictors none() {
    return NONE;
  }

  /**
   * Reads a digest file.
   *
   * @throws IllegalArgumentException naming the file and line of a malformed entry
   */
  public static TrustedPredictors read(Path file) {
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
    return new TrustedPredictors(out);
  }

  /** Whether the jar's digest is listed. */
  public boolean trusts(Path jar) {
    return !digests.isEmpty() && digests.contains(sha256(jar));
  }

  static String sha256(Path file) {
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
