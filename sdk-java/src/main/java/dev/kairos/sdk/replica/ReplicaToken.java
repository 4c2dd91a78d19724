package dev.kairos.sdk.replica;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * The secret a gateway shows a runtime replica in the {@value #HEADER} header, so that only the
 * platform's own parts reach a replica directly: anyone else would skip the gateway's API keys and
 * rate limits, or unload the model. A network policy keeps other pods away where the network plugin
 * enforces one; this token holds where it does not, and on a shared machine's loopback.
 *
 * <p>Where it comes from: {@value #FILE_ENV} (a file, e.g. a mounted Secret) or {@value #ENV} (the
 * secret itself, e.g. set by {@code kairos serve} for its child processes). Never a command-line
 * argument: other users see those in {@code ps}.
 */
public final class ReplicaToken {
  /** The header that carries the token. */
  public static final String HEADER = "Kairos-Replica-Token";

  /** Environment variable holding the token itself. */
  public static final String ENV = "KAIROS_REPLICA_TOKEN";

  /** Environment variable naming a file whose content (trimmed) is the token. */
  public static final String FILE_ENV = "KAIROS_REPLICA_TOKEN_FILE";

  /** Shorter secrets can be guessed. */
  static final int MIN_LENGTH = 16;

  private final byte[] secret;
  private final String text;

  private ReplicaToken(String secret) {
    this.text = secret;
    this.secret = secret.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A token with this secret.
   *
   * @throws IllegalArgumentException if it is shorter than 16 characters or holds spaces or control
   *     characters (it travels in an HTTP header)
   */
  public static ReplicaToken of(String secret) {
    if (secret == null || secret.length() < MIN_LENGTH) {
      throw new IllegalArgumentException(
          "replica token has "
              + (secret == null ? 0 : secret.length())
              + " characters, must have at least "
              + MIN_LENGTH);
    }
    for (int i = 0; i < secret.length(); i++) {
      char c = secret.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        throw new IllegalArgumentException(
            "replica token holds a space or a character outside printable ASCII at index " + i);
      }
    }
    return new ReplicaToken(secret);
  }

  /** A fresh random token (256 bits), for one run of {@code kairos serve}. */
  public static ReplicaToken random() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return new ReplicaToken(HexFormat.of().formatHex(b));
  }

  /**
   * The token the environment gives: the file named by {@value #FILE_ENV} first, else {@value
   * #ENV}; empty when neither is set.
   *
   * @throws IllegalArgumentException if the file is missing, unreadable or holds no valid token: a
   *     process told to use a token must not serve without one
   */
  public static Optional<ReplicaToken> fromEnvironment(Map<String, String> env) {
    String file = env.get(FILE_ENV);
    if (file != null && !file.isBlank()) {
      String content;
      try {
        content = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new IllegalArgumentException(
            FILE_ENV + " = '" + file + "': cannot read it (" + e + ")", e);
      }
      try {
        return Optional.of(of(content));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(FILE_ENV + " = '" + file + "': " + e.getMessage(), e);
      }
    }
    String value = env.get(ENV);
    if (value != null && !value.isBlank()) {
      try {
        return Optional.of(of(value.strip()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(ENV + ": " + e.getMessage(), e);
      }
    }
    return Optional.empty();
  }

  /** The secret, to send in {@value #HEADER} or to hand to a child process's environment. */
  public String secret() {
    return text;
  }

  /** Whether a presented header value is this token; constant time in the secret's content. */
  public boolean matches(String presented) {
    return presented != null
        && MessageDigest.isEqual(secret, presented.getBytes(StandardCharsets.UTF_8));
  }

  /** Puts the token into a child process's environment, replacing any file the parent was told. */
  public void export(Map<String, String> childEnvironment) {
    childEnvironment.remove(FILE_ENV);
    childEnvironment.put(ENV, text);
  }

  @Override
  public String toString() {
    return "ReplicaToken[hidden]";
  }
}
