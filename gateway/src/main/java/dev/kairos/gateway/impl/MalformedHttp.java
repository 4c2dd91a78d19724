package dev.kairos.gateway.impl;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.vertx.core.http.HttpServerRequest;

/**
 * Answers requests that the HTTP/1 codec could not decode (request line, headers, Content-Length)
 * like Vert.x's default (400, 414 or 431, then close) but with the {@code {"error": ...}} body that
 * every other client mistake gets. The message names the kind of mistake, never the bytes sent,
 * which may hold a credential.
 */
public final class MalformedHttp {
  private MalformedHttp() {}

  /** For {@link io.vertx.core.http.HttpServer#invalidRequestHandler}. */
  public static void answer(HttpServerRequest req) {
    DecoderResult result = req.decoderResult();
    Throwable cause = result == null ? null : result.cause();
    int status = 400;
    String message = "malformed HTTP request: bad request line, header or Content-Length";
    if (cause instanceof TooLongFrameException) {
      String kind = cause.getClass().getSimpleName();
      if (kind.contains("Line")) {
        status = 414;
        message = "the request line is too long";
      } else if (kind.contains("Header")) {
        status = 431;
        message = "the request headers are too large";
      } else {
        message = "malformed HTTP request: a part is too long";
      }
    }
    req.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Connection", "close")
        .end("{\"error\":\"" + message + "\"}")
        .onComplete(x -> req.connection().close());
  }
}
