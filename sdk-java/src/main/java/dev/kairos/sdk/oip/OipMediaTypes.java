package dev.kairos.sdk.oip;

import java.util.Locale;

/** The request content types an inference endpoint accepts. */
public final class OipMediaTypes {
  /** Content type of a body that uses the binary tensor extension. */
  public static final String BINARY = "application/octet-stream";

  public static final String JSON = "application/json";

  private OipMediaTypes() {}

  /**
   * Whether an infer request with this {@code Content-Type} is acceptable: none, JSON, the binary
   * extension's octet stream, or what tools send for text bodies by default ({@code curl -d} sends
   * {@code application/x-www-form-urlencoded}).
   */
  public static boolean isAcceptedRequestType(String contentType) {
    if (contentType == null || contentType.isBlank()) {
      return true;
    }
    String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return type.equals(JSON)
        || (type.startsWith("application/") && type.endsWith("+json"))
        || type.equals(BINARY)
        || type.equals("application/x-www-form-urlencoded")
        || type.equals("text/plain");
  }

  /** The message of a 415 answer. */
  public static String rejection(String contentType) {
    return "Content-Type '"
        + contentType
        + "' is not accepted: send application/json, or application/octet-stream with the binary"
        + " tensor extension";
  }
}
