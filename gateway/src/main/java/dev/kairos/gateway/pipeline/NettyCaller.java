package dev.kairos.gateway.pipeline;

import dev.kairos.gateway.auth.Credentials;
import dev.kairos.gateway.protocol.TritonGenerate;
import dev.kairos.sdk.oip.OipJsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
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
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * A model call taken on the public port by {@link NettyFront}, below Vert.x's HTTP server: an OIP
 * {@code infer} request whose body is in hand, answered with Netty's own response object on the
 * client's channel, written as bytes. It answers exactly as {@link HttpCaller} does for the same
 * request (statuses, messages, header names and order, keep-alive and {@code Connection} rules of
 * HTTP/1.0 and 1.1), so a client cannot tell which of the two took its request.
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
  private static final AsciiString CONNECTION = AsciiString.cached("Connection");
  private static final byte[] HTTP_10 = "HTTP/1.0 ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HTTP_11 = "HTTP/1.1 ".getBytes(StandardCharsets.US_ASCII);
  private static final int CRLF = ('\r' << 8) | '\n';
  private static final int COLON_SPACE = (':' << 8) | ' ';

  /** Room for the status line and the headers written here. */
  private static final int HEAD_ROOM = 256;

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
    byte[] body = ENCODER.encodeError(message);
    ByteBuf out = head(status, body.length);
    if (status == 401) {
      header(out, WWW_AUTHENTICATE, "Bearer");
    }
    if (status == 413) {
      // As HttpCaller; NettyFront passes bodies over the limit to Vert.x, so not reached today.
      header(out, CONNECTION, "close");
    }
    if (retryAfter != null) {
      header(out, RETRY_AFTER, retryAfter);
    }
    header(out, ERROR_CONTENT_TYPE, "application/json");
    end(out, status != 413, body.length);
    out.writeBytes(body);
    front.answer(this, out, keep(status != 413));
  }

  @Override
  public void answered(int status, MultiMap headers, Buffer body) {
    if (answered) {
      return;
    }
    ByteBuf content = ((BufferInternal) body).getByteBuf();
    int length = content.readableBytes();
    ByteBuf out = head(status, length);
    // What Relay copies from a replica's answer for HttpCaller, in its order.
    String v = headers.get(HttpHeaderNames.CONTENT_TYPE);
    if (v != null) {
      header(out, HttpHeaderNames.CONTENT_TYPE, v);
    }
    v = headers.get(BINARY);
    if (v != null) {
      header(out, BINARY, v);
    }
    v = headers.get(RETRY_AFTER);
    if (v != null) {
      header(out, RETRY_AFTER, v);
    }
    end(out, true, length);
    out.writeBytes(content);
    front.answer(this, out, keep(true));
  }

  /*
   * The answer is written as bytes, as Netty's encoder would write a FullHttpResponse with these
   * headers (and as Vert.x's response does: its header order, its lower-case names for what it
   * adds), in one pooled direct buffer: no response or header objects, no second buffer for the
   * body, no copy of a heap body into a direct one at the socket. The status line is Netty's
   * (HttpResponseStatus.valueOf, as Vert.x sets it).
   */

  private ByteBuf head(int status, int bodyLength) {
    answered = true;
    ByteBuf out = front.alloc().directBuffer(HEAD_ROOM + bodyLength);
    out.writeBytes(req.protocolVersion() == HttpVersion.HTTP_1_0 ? HTTP_10 : HTTP_11);
    HttpResponseStatus s = HttpResponseStatus.valueOf(status);
    ByteBufUtil.writeAscii(out, s.codeAsText());
    out.writeByte(' ');
    ByteBufUtil.writeAscii(out, s.reasonPhrase());
    out.writeShort(CRLF);
    return out;
  }

  private static void header(ByteBuf out, CharSequence name, CharSequence value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\r' || c == '\n') {
        return; // never from a decoded header or this gateway; a header must not split the head
      }
    }
    ByteBufUtil.writeAscii(out, name);
    out.writeShort(COLON_SPACE);
    ByteBufUtil.writeAscii(out, value);
    out.writeShort(CRLF);
  }

  /** Vert.x's connection header for the request's version, the length, and the blank line. */
  private void end(ByteBuf out, boolean mayKeepAlive, int length) {
    if (req.protocolVersion() == HttpVersion.HTTP_1_0) {
      if (keepAlive && mayKeepAlive) {
        header(out, HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      }
    } else if (!keepAlive) {
      header(out, HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    ByteBufUtil.writeAscii(out, HttpHeaderNames.CONTENT_LENGTH);
    out.writeShort(COLON_SPACE);
    ByteBufUtil.writeAscii(out, Integer.toString(length));
    out.writeShort(CRLF);
    out.writeShort(CRLF);
  }

  private boolean keep(boolean mayKeepAlive) {
    return keepAlive && mayKeepAlive;
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
