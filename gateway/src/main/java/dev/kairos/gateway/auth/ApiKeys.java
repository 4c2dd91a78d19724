package dev.kairos.gateway.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * An immutable set of API keys, looked up by the SHA-256 of the presented secret.
 *
 * <p>The keys file has one key per line; {@code #} starts a comment:
 *
 * <pre>
 * # name  sha256-of-secret (hex)                                            scopes               options
 * app     2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b  infer:mlp,infer:cnn*  rate=50/s burst=100
 * ops     9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08  admin,infer:*
 * </pre>
 *
 * Hash a secret with {@code printf %s "$SECRET" | sha256sum}. Scopes: {@code admin}, {@code
 * infer:<glob>}. Clients send the secret as {@code Authorization: Bearer <secret>} or {@code
 * X-API-Key: <secret>}.
 */
public final class ApiKeys {
  private final Map<String, ApiKey> byHash;

  public ApiKeys(Collection<ApiKey> keys) {
    Map<String, ApiKey> m = new HashMap<>();
    for (ApiKey k : keys) {
      if (m.put(k.sha256(), k) != null) {
        throw new IllegalArgumentException(
            "key '" + k.name() + "': the same secret is listed twice");
      }
    }
    this.byHash = Map.copyOf(m);
  }

  /** No keys at all. */
  public static ApiKeys none() {
    return new ApiKeys(List.of());
  }

  public boolean isEmpty() {
    return byHash.isEmpty();
  }

  public Collection<ApiKey> all() {
    return byHash.values();
  }

  /** The key whose secret this is, or null. */
  public ApiKey find(String secret) {
    if (secret == null || secret.isEmpty()) {
      return null;
    }
    return byHash.get(sha256Hex(secret));
  }

  public static String sha256Hex(String secret) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Reads a keys file. Errors name the file, the line and what was wrong. */
  public static ApiKeys load(Path file) throws IOException {
    return parse(file, Files.readAllLines(file, StandardCharsets.UTF_8));
  }

  /** Parses the lines of a keys file; errors name {@code file}, the line and what was wrong. */
  public static ApiKeys parse(Path file, List<String> lines) {
    List<ApiKey> keys = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int hash = line.indexOf('#');
      if (hash >= 0) {
        line = line.substring(0, hash);
      }
      line = line.strip();
      if (line.isEmpty()) {
        continue;
      }
      try {
        keys.add(parseLine(line));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + ":" + (i + 1) + ": " + e.getMessage(), e);
      }
    }
    return new ApiKeys(keys);
  }

  /** Parses one line of a keys file (see the class comment). */
  public static ApiKey parseLine(String line) {
    String[] f = line.split("\\s+");
    if (f.length < 3) {
      throw new IllegalArgumentException(
          "expected 'name sha256 scopes [rate=N/s] [burst=N]', got " + f.length + " fields");
    }
    boolean admin = false;
    List<String> infer = new ArrayList<>();
    for (String scope : f[2].split(",")) {
      if (scope.equals("admin")) {
        admin = true;
      } else if (scope.startsWith("infer:") && scope.length() > 6) {
        infer.add(scope.substring(6));
      } else {
        throw new IllegalArgumentException(
            "unknown scope '" + scope + "' (expected admin or infer:<model glob>)");
      }
    }
    double rate = 0;
    int burst = -1;
    for (int i = 3; i < f.length; i++) {
      String opt = f[i];
      if (opt.startsWith("rate=")) {
        String v = opt.substring(5);
        v = v.endsWith("/s") ? v.substring(0, v.length() - 2) : v;
        rate = parseNumber("rate", v);
      } else if (opt.startsWith("burst=")) {
        burst = (int) parseNumber("burst", opt.substring(6));
      } else {
        throw new IllegalArgumentException(
            "unknown option '" + opt + "' (expected rate= or burst=)");
      }
    }
    if (burst < 0) {
      burst = (int) Math.max(1, Math.ceil(rate));
    }
    return new ApiKey(f[0], f[1].toLowerCase(java.util.Locale.ROOT), admin, infer, rate, burst);
  }

  private static double parseNumber(String what, String v) {
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + " = '" + v + "', must be a number");
    }
  }
}
