package dev.kairos.runtime.server;

import dev.kairos.sdk.replica.ReplicaToken;
import io.vertx.core.http.HttpServerRequest;
import java.util.Set;

/**
 * The door of a replica: with a {@link ReplicaToken} configured, every request but the kubelet's
 * probes and the metrics scrape must carry it, inference and the repository's {@code load} / {@code
 * unload} included; without one the replica answers anyone who can reach its port (a runtime
 * started by hand on loopback).
 */
public final class ReplicaTokenCheck {
  /** Read-only paths that probes and scrapers call without the token. */
  private static final Set<String> OPEN_PATHS =
      Set.of("/v2/health/live", "/v2/health/ready", "/metrics");

  private static final String REFUSED =
      "{\"error\":\"this replica answers only its gateway: missing or wrong "
          + ReplicaToken.HEADER
          + " header\"}";

  private final ReplicaToken token;

  private ReplicaTokenCheck(ReplicaToken token) {
    this.token = token;
  }

  /** Every request must carry {@code token}, except probes and the metrics scrape. */
  public static ReplicaTokenCheck requiring(ReplicaToken token) {
    return new ReplicaTokenCheck(java.util.Objects.requireNonNull(token, "token"));
  }

  /** No token: anyone who reaches the port is served. */
  public static ReplicaTokenCheck open() {
    return new ReplicaTokenCheck(null);
  }

  /** Whether the request may go on; if not, it has been answered 401. */
  public boolean admit(HttpServerRequest req) {
    if (token == null
        || OPEN_PATHS.contains(req.path())
        || token.matches(req.getHeader(ReplicaToken.HEADER))) {
      return true;
    }
    req.response().setStatusCode(401).putHeader("Content-Type", "application/json").end(REFUSED);
    return false;
  }
}
