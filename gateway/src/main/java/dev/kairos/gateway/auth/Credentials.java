package dev.kairos.gateway.auth;

import io.vertx.core.http.HttpServerRequest;

/** Where a request carries its API key. */
public final class Credentials {
  private Credentials() {}

  /** The secret of {@code Authorization: Bearer <key>} or {@code X-API-Key: <key>}, or null. */
  public static String secret(HttpServerRequest req) {
    return secret(req.getHeader("Authorization"), req.getHeader("X-API-Key"));
  }

  /**
   * The same, from the request's {@code Authorization} and {@code X-API-Key} headers (each null
   * when absent).
   */
  public static String secret(String auth, String key) {
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return auth.substring(7).trim();
    }
    return key == null ? null : key.trim();
  }
}
