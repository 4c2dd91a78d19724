package dev.kairos.gateway.pipeline;

import dev.kairos.gateway.auth.Credentials;
import dev.kairos.gateway.protocol.TritonGenerate;
import dev.kairos.sdk.oip.OipJsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.buffer.BufferInternal;
import java.util.function.Consumer;

/**
 * A model call taken on the public port by {@link NettyFront}, below Vert.x's HTTP server: an OIP
 * {@code infer} request whose body is in hand, answered with Netty's own response object on the
 * client's channel. It answers exactly as {@link HttpCaller} does for the same request (statuses,
 * messages, header names and order, keep-alive and {@code Connection} rules of HTTP/1.0 and 1.1),
 * so a client cannot tell which of the two took its request.
 *
 * <p>It takes only whole answers ({@link #passThrough()} is null): the relay reads the replica's
 * answer whole and hands it to {@link #answered}, as it does for gRPC.
 */
final class NettyCaller implements Caller {
  private static final OipJsonEncoder ENCODER = new OipJsonEncoder();
  private static final AsciiString TIMEOUT = AsciiString.cached(HttpCaller.TIMEOUT_HEADER);
  private static final AsciiString AUTHORIZATION = AsciiString.cached("Authorization");
  private static final AsciiString API_KEY = AsciiString.cached("X-API-Key");
  private static final AsciiString RETRY_AFTER = AsciiString.cached("Retry-After");

  /** As {@link HttpCaller#send} names it; a replica's answer keeps Vert.x's lower-case name. */
  private static final AsciiString ERROR_CONTENT_TYPE = AsciiString.cached("Content-Type");

  private static final AsciiString WWW_AUTHENTICATE = AsciiString.cached("WWW-Authenticate");
  private static final AsciiString BINARY = AsciiString.cached(Forward.BINARY_HEADER);

  private final NettyFront front;
  private final HttpRequest req;
  private final long declared;
  private final boolean keepAlive;
  private Runnable onGone;
  private boolean answered;
  private boolean gone;

  NettyCaller(NettyFront front, HttpRequest req, long declared) {
    this.front = front;
    this.req = req;
    this.declared = declared;
    this.keepAlive = keepAlive(req);
  }

  /** As Vert.x decides it: HTTP/1.1 unless {@code Connection: close}; 1.0 with keep-alive. */
  static boolean keepAlive(HttpRequest req) {
    HttpHeaders h = req.headers();
    return req.protocolVersion() == HttpVersion.HTTP_1_1
        ? !h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true)
        : h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE, true);
  }

  @Override
  public HttpMethod method() {
    return HttpMethod.POST;
  }

  @Override
  public String header(CharSequence name) {
    return req.headers().get(name);
  }

  @Override
  public String secret() {
    HttpHeaders h = req.headers();
    return Credentials.secret(h.get(AUTHORIZATION), h.get(API_KEY));
  }

  @Override
  public String askedDeadline() {
    return req.headers().get(TIMEOUT);
  }

  @Override
  public long declaredLength() {
    return declared;
  }

  @Override
  public boolean gone() {
    return gone;
  }

  @Override
  public void onGone(Runnable then) {
    onGone = then;
  }

  /** The client's connection closed (called on the connection's context). */
  void left() {
    if (gone) {
      return;
    }
    gone = true;
    Runnable then = onGone;
    if (then != null && !answered) {
      then.run();
    }
  }

  @Override
  public void readBody(long limit, Consumer<Buffer> then, Runnable overLimit) {
    // Asked only of a call started before its body was whole; the body is within the limit (a
    // larger one goes to Vert.x's path).
    front.readBody(this, then);
  }

  @Override
  public void pauseBody() {
    // Admit pauses only bodies over its buffered limit, which go to Vert.x's path.
    throw new UnsupportedOperationException("a body over the buffered limit is Vert.x's");
  }

  @Override
  public Future<HttpClientResponse> streamBody(HttpClientRequest to) {
    throw new UnsupportedOperationException("a body over the buffered limit is Vert.x's");
  }

  @Override
  public void refuse(int status, String message, String retryAfter) {
    if (answered) {
      return;
    }
    DefaultHttpHeaders h = new DefaultHttpHeaders(false);
    if (status == 401) {
      h.add(WWW_AUTHENTICATE, "Bearer");
    }
    if (status == 413) {
      // As HttpCaller; NettyFront passes bodies over the limit to Vert.x, so not reached today.
      h.add(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    if (retryAfter != null) {
      h.add(RETRY_AFTER, retryAfter);
    }
    h.add(ERROR_CONTENT_TYPE, "application/json");
    write(status, h, Unpooled.wrappedBuffer(ENCODER.encodeError(message)), status != 413);
  }

  @Override
  public void answered(int status, MultiMap headers, Buffer body) {
    if (answered) {
      return;
    }
    DefaultHttpHeaders h = new DefaultHttpHeaders(false);
    // What Relay copies from a replica's answer for HttpCaller, in its order.
    String v = headers.get(HttpHeaderNames.CONTENT_TYPE);
    if (v != null) {
      h.add(HttpHeaderNames.CONTENT_TYPE, v);
    }
    v = headers.get(BINARY);
    if (v != null) {
      h.add(BINARY, v);
    }
    v = headers.get(RETRY_AFTER);
    if (v != null) {
      h.add(RETRY_AFTER, v);
    }
    write(status, h, ((BufferInternal) body).getByteBuf(), true);
  }

  private void write(int status, DefaultHttpHeaders h, ByteBuf content, boolean mayKeepAlive) {
    answered = true;
    boolean keep = keepAlive && mayKeepAlive;
    if (req.protocolVersion() == HttpVersion.HTTP_1_0) {
      if (keep) {
        h.add(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      }
    } else if (!keepAlive) {
      h.add(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    h.add(HttpHeaderNames.CONTENT_LENGTH, String.valueOf(content.readableBytes()));
    DefaultFullHttpResponse resp =
        new DefaultFullHttpResponse(
            req.protocolVersion(),
            HttpResponseStatus.valueOf(status),
            content,
            h,
            DefaultHttpHeaders.EMPTY_HEADERS);
    front.answer(this, resp, keep);
  }

  @Override
  public HttpServerResponse passThrough() {
    return null;
  }

  @Override
  public Buffer streamError(String message) {
    // Only a streamed answer is broken off by an event; this caller takes infer calls only.
    return Buffer.buffer(TritonGenerate.streamError(message));
  }
}
