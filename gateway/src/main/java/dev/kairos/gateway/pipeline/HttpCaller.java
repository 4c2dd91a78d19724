package dev.kairos.gateway.pipeline;

import dev.kairos.gateway.auth.Credentials;
import dev.kairos.gateway.protocol.OpenAi;
import dev.kairos.gateway.protocol.TritonGenerate;
import dev.kairos.sdk.oip.OipJsonEncoder;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A call that came in on the public HTTP port (OIP REST and its binary extension, Triton's generate
 * extension, KServe v1, DJL {@code /predictions}, OpenAI): errors in the format of the API asked.
 */
final class HttpCaller implements Caller {
  private static final Logger log = LoggerFactory.getLogger(HttpCaller.class);
  static final String TIMEOUT_HEADER = "Kairos-Timeout-Ms";

  /** Looked up on every request: a name whose hash is computed once. */
  private static final CharSequence TIMEOUT = HttpHeaders.createOptimized(TIMEOUT_HEADER);

  private static final OipJsonEncoder ENCODER = new OipJsonEncoder();

  private final HttpServerRequest req;

  HttpCaller(HttpServerRequest req) {
    this.req = req;
  }

  @Override
  public HttpMethod method() {
    return req.method();
  }

  @Override
  public String header(CharSequence name) {
    return req.getHeader(name);
  }

  @Override
  public String secret() {
    return Credentials.secret(req);
  }

  @Override
  public String askedDeadline() {
    return req.getHeader(TIMEOUT);
  }

  @Override
  public long declaredLength() {
    return contentLength(req);
  }

  @Override
  public boolean gone() {
    return req.response().closed();
  }

  @Override
  public void onGone(Runnable then) {
    HttpServerResponse resp = req.response();
    resp.closeHandler(
        v -> {
          if (!resp.ended()) {
            then.run();
          }
        });
  }

  @Override
  public void readBody(long limit, Consumer<Buffer> then, Runnable overLimit) {
    WholeBody.read(
        req,
        contentLength(req),
        limit,
        then,
        overLimit,
        err -> log.debug("{} body read failed: {}", req.path(), err.toString()));
  }

  @Override
  public void pauseBody() {
    req.pause();
  }

  @Override
  public Future<HttpClientResponse> streamBody(HttpClientRequest to) {
    String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) {
      to.putHeader(HttpHeaders.CONTENT_LENGTH, length);
    }
    return to.send(req);
  }

  @Override
  public void refuse(int status, String message, String retryAfter) {
    HttpServerResponse resp = req.response();
    if (resp.ended()) {
      return;
    }
    if (status == 401) {
      resp.putHeader("WWW-Authenticate", "Bearer");
    }
    if (status == 413) {
      // The rest of an oversized body is not read: the connection cannot carry another request.
      resp.putHeader("Connection", "close");
    }
    if (retryAfter != null) {
      resp.putHeader("Retry-After", retryAfter);
    }
    if (!req.isEnded() && status >= 400) {
      req.resume();
    }
    Future<Void> sent = error(req, status, message);
    if (status == 413) {
      // Vert.x keeps a connection open unless the request asked otherwise: close it once the
      // answer is written.
      sent.onComplete(v -> req.connection().close());
    }
  }

  @Override
  public void answered(int status, MultiMap headers, Buffer body) {
    HttpServerResponse resp = req.response();
    if (resp.ended()) {
      return;
    }
    resp.setStatusCode(status);
    String type = headers.get(HttpHeaders.CONTENT_TYPE);
    if (type != null) {
      resp.putHeader(HttpHeaders.CONTENT_TYPE, type);
    }
    resp.end(body);
  }

  @Override
  public HttpServerResponse passThrough() {
    return req.response();
  }

  @Override
  public Buffer streamError(String message) {
    return Buffer.buffer(
        OpenAi.isOpenAiPath(req.path())
            ? OpenAi.streamError(message)
            : TritonGenerate.streamError(message));
  }

  /** Answers an error in the format of the API asked: OpenAI's for its paths, else OIP's. */
  static Future<Void> error(HttpServerRequest req, int status, String message) {
    return send(
        req,
        status,
        OpenAi.isOpenAiPath(req.path())
            ? OpenAi.error(status, message)
            : ENCODER.encodeError(message));
  }

  static Future<Void> send(HttpServerRequest req, int status, byte[] body) {
    HttpServerResponse resp = req.response();
    if (resp.ended()) {
      return Future.succeededFuture();
    }
    return resp.setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(Buffer.buffer(body));
  }

  static long contentLength(HttpServerRequest req) {
    String s = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (s == null) {
      return -1;
    }
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
