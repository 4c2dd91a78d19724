package dev.kairos.sdk.oip;

/**
 * A parsed Open Inference Protocol model path: {@code
 * /v2/models/{model}[/versions/{version}][/op]}.
 *
 * @param model the model name
 * @param version the explicit version, or null to let the server choose
 * @param op what is asked: {@link Op#METADATA}, {@link Op#READY}, {@link Op#INFER}, or for a
 *     text-generation model {@link Op#GENERATE} or {@link Op#GENERATE_STREAM} (Triton's generate
 *     extension)
 */
public record OipPath(String model, String version, Op op) {
  /** The operation a model path names. */
  public enum Op {
    METADATA,
    READY,
    INFER,
    GENERATE,
    GENERATE_STREAM
  }

  private static final String PREFIX = "/v2/models/";
  private static final int MAX_NAME_LENGTH = 128;

  /**
   * Whether a model or version name is acceptable: 1 to 128 of letters, digits, '_', '.', '-',
   * starting with a letter or digit, and no "..": no path tricks. Checked on every request, so by
   * hand rather than with a regular expression.
   */
  public static boolean isValidName(String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
      return false;
    }
    char prev = 0;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum && (i == 0 || (c != '_' && c != '-' && c != '.') || (c == '.' && prev == '.'))) {
        return false;
      }
      prev = c;
    }
    return true;
  }

  /**
   * Parses a request path (without query string).
   *
   * @return the parsed path, or null if this is not a model path at all
   * @throws InvalidInputException if it is a model path with an invalid model or version name
   */
  public static OipPath parse(String path) {
    if (path == null || !path.startsWith(PREFIX)) {
      return null;
    }
    String[] parts = path.substring(PREFIX.length()).split("/", -1);
    int n = parts.length;
    String model = parts[0];
    String version = null;
    int i = 1;
    if (n > 2 && parts[1].equals("versions")) {
      version = parts[2];
      i = 3;
    }
    Op op;
    if (i == n) {
      op = Op.METADATA;
    } else if (i == n - 1 && parts[i].equals("infer")) {
      op = Op.INFER;
    } else if (i == n - 1 && parts[i].equals("ready")) {
      op = Op.READY;
    } else if (i == n - 1 && parts[i].equals("generate")) {
      op = Op.GENERATE;
    } else if (i == n - 1 && parts[i].equals("generate_stream")) {
      op = Op.GENERATE_STREAM;
    } else {
      return null;
    }
    if (!isValidName(model)) {
      throw new InvalidInputException("invalid model name '" + printable(model) + "'");
    }
    if (version != null && !isValidName(version)) {
      throw new InvalidInputException("invalid model version '" + printable(version) + "'");
    }
    return new OipPath(model, version, op);
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && i < 64; i++) {
      char c = s.charAt(i);
      b.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return b.toString();
  }
}
