package dev.kairos.gateway.auth;

import io.vertx.core.http.HttpServerRequest;

/** Where a request carries its API key. */
public final class Credentials {
  private Credentials() {}

  /** The secret of {@code Authorization: Bearer <key>} or {@code X-API-Key: <key>}, or null. */
  public static String secret(HttpServerRequest req) {
    String auth = req.getHeader("Authorization");
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return auth.substring(7).trim();
    }
    String key = req.getHeader("X-API-Key");
    return key == null ? null : key.trim();
  }
}
