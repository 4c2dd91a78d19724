package dev.kairos.gateway.impl;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.Http1xUpgradeToH2CHandler;
import io.vertx.core.http.impl.Http2ServerConnection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Refuses the HTTP/1.1 to HTTP/2 cleartext upgrade ({@code Upgrade: h2c}) on a port that speaks
 * HTTP/2 for gRPC clients, which always connect with prior knowledge.
 *
 * <p>Why: Vert.x turns the body of an upgrade request into HTTP/2 data outside HTTP/2 flow control,
 * and {@code pause()} does not stop the socket being read, so a large body sent that way piles up
 * whole in the heap. Vert.x has no setting that keeps prior knowledge and drops the upgrade, and
 * the upgrade is decided before any handler runs; the connection it makes is recognised when it
 * opens (Vert.x's upgrade handler is still in its pipeline, reading the body) and its one request
 * is answered 400 naming what to send instead, and the connection closed, so the rest of the body
 * is never read. Only the first request of a connection can ask to upgrade.
 *
 * <p>An upgrade request whose body is bounded and small is let through, so that clients that
 * upgrade by default (Java's {@code HttpClient}) keep working for reads and small admin writes: one
 * without a body ({@code GET}, {@code HEAD}, {@code OPTIONS}, {@code DELETE} with no length), or
 * with a {@code Content-Length} of at most {@link #MAX_UPGRADE_BODY} bytes. What is refused is a
 * body of unknown length (chunked) or a larger one.
 */
public final class ClearTextUpgrade {
  static final String MESSAGE =
      "this port does not upgrade HTTP/1.1 to h2c for a request with a body of unknown length or"
          + " over "
          + (64 * 1024)
          + " bytes: send HTTP/1.1 without 'Upgrade: h2c', or HTTP/2 with prior knowledge";

  /**
   * The largest body an upgrade request may carry: what may sit in the heap outside flow control.
   */
  static final long MAX_UPGRADE_BODY = 64 * 1024;

  private final Set<HttpConnection> upgraded = ConcurrentHashMap.newKeySet();

  private ClearTextUpgrade() {}

  /**
   * Installs {@code next} as the request handler of {@code server}, behind the refusal; also takes
   * the server's connection handler.
   */
  public static HttpServer refuse(HttpServer server, Handler<HttpServerRequest> next) {
    ClearTextUpgrade refusal = new ClearTextUpgrade();
    return server
        .connectionHandler(refusal::watch)
        .requestHandler(
            req -> {
              if (!refusal.answered(req)) {
                next.handle(req);
              }
            });
  }

  private void watch(HttpConnection conn) {
    // An HTTP/1.1 connection also opens while the upgrade handler is in place (it steps aside
    // after the first request), so only HTTP/2 connections are looked at.
    if (conn instanceof Http2ServerConnection h2
        && h2.channelHandlerContext().pipeline().get(Http1xUpgradeToH2CHandler.class) != null) {
      upgraded.add(conn);
      conn.closeHandler(v -> upgraded.remove(conn));
    }
  }

  private static boolean boundedBody(HttpServerRequest req) {
    String length = req.getHeader("content-length");
    if (length == null) {
      return switch (req.method().name()) {
        case "GET", "HEAD", "OPTIONS", "DELETE" -> true;
        default -> false;
      };
    }
    try {
      long n = Long.parseLong(length.trim());
      return n >= 0 && n <= MAX_UPGRADE_BODY;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private boolean answered(HttpServerRequest req) {
    if (!upgraded.remove(req.connection()) || boundedBody(req)) {
      return false;
    }
    HttpConnection conn = req.connection();
    req.response()
        .setStatusCode(400)
        .putHeader("Content-Type", "application/json")
        .end("{\"error\":\"" + MESSAGE + "\"}")
        .onComplete(done -> conn.close());
    return true;
  }
}
