package dev.kairos.gateway.impl;

import io.netty.buffer.Unpooled;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.internal.http.HttpServerRequestInternal;
import io.vertx.core.internal.http.HttpServerRequestWrapper;
import io.vertx.grpc.common.CodecException;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The request of a unary gRPC call as the gRPC server reads it, but with its one message gathered
 * into a single array of the size its length prefix declares, handed on as one chunk.
 *
 * <p>Why: the gRPC server's deframer appends every HTTP/2 DATA chunk to one growing buffer, which
 * copies a large message several times over and allocates arrays of twice its size on the way; for
 * a tensor of hundreds of kilobytes those are the allocations that made the gateway's collector
 * run, not the bytes themselves. Here the chunks are only kept until the message is whole (memory
 * in proportion to the bytes received, never to what the prefix claims), then copied once. The
 * array keeps {@link #HEADROOM} free bytes in front of the message, where the gateway's gRPC front
 * writes the binary extension's JSON header, so the body sent on to the replica is one slice of the
 * same array.
 *
 * <p>A message over {@code maxMessageBytes} passes on as it came (the gRPC server refuses it with
 * its own status), as do bytes after the first message. A call whose stream ends before its message
 * is whole is answered INVALID_ARGUMENT here, naming how much of it came: the gRPC server would
 * wait for the rest forever; one whose message cannot be decoded is answered INVALID_ARGUMENT by
 * {@link #unary}, where the server would leave it unanswered. Flow control is the request's own:
 * pausing this request pauses the stream.
 */
public final class UnaryIntake extends HttpServerRequestWrapper {
  /** Free bytes kept in front of the message for the JSON header of the binary extension. */
  public static final int HEADROOM = 4096;

  /** The gRPC length prefix: a compressed flag byte, then the message's length (uint32). */
  private static final int PREFIX = 5;

  private final long maxMessageBytes;
  private Handler<Buffer> next;

  /** Chunks received for the first message, not yet handed on. */
  private final List<Buffer> held = new ArrayList<>();

  private long heldBytes;

  /** Prefix and message bytes of the first message, or -1 while its prefix is incomplete. */
  private long expected = -1;

  /** The first message went on (or could not be gathered): chunks pass as they come. */
  private boolean passing;

  /**
   * A unary call's handler: {@code then} with the call's one message, or INVALID_ARGUMENT naming
   * {@code method} when the message cannot be decoded (the gRPC server fails the call's message and
   * answers nothing, so the client would wait until its deadline).
   */
  public static <Q, R> Handler<GrpcServerRequest<Q, R>> unary(
      String method, BiConsumer<GrpcServerRequest<Q, R>, Q> then) {
    return call ->
        call.last()
            .onComplete(
                m -> {
                  if (m.succeeded()) {
                    then.accept(call, m.result());
                    return;
                  }
                  if (!(m.cause() instanceof CodecException)) {
                    return; // the server answered it itself (a message over the limit, a reset)
                  }
                  Throwable why = m.cause().getCause() != null ? m.cause().getCause() : m.cause();
                  call.response()
                      .status(GrpcStatus.INVALID_ARGUMENT)
                      .statusMessage("the " + method + " message is malformed: " + why.getMessage())
                      .end();
                });
  }

  public UnaryIntake(HttpServerRequest request, long maxMessageBytes) {
    super((HttpServerRequestInternal) request);
    this.maxMessageBytes = maxMessageBytes;
  }

  @Override
  public HttpServerRequest handler(Handler<Buffer> handler) {
    next = handler;
    delegate.handler(handler == null ? null : this::chunk);
    return this;
  }

  @Override
  public HttpServerRequest endHandler(Handler<Void> handler) {
    delegate.endHandler(
        handler == null
            ? null
            : v -> {
              if (!passing) {
                // The gRPC server would wait for the rest of the message forever: the call is
                // answered here, and the server never sees it end.
                refuseCutShort();
                return;
              }
              handler.handle(v);
            });
    return this;
  }

  private void chunk(Buffer chunk) {
    if (passing) {
      next.handle(chunk);
      return;
    }
    held.add(chunk);
    heldBytes += chunk.length();
    if (expected < 0) {
      if (heldBytes < PREFIX) {
        return;
      }
      long length = lengthOf();
      if (length > maxMessageBytes || length > Integer.MAX_VALUE - PREFIX - HEADROOM) {
        handOnHeld();
        return;
      }
      expected = PREFIX + length;
    }
    if (heldBytes >= expected) {
      gathered();
    }
  }

  /** The message length in the prefix, read across the held chunks. */
  private long lengthOf() {
    long length = 0;
    for (int i = 1; i < PREFIX; i++) {
      length = (length << 8) | (byteAt(i) & 0xff);
    }
    return length;
  }

  private byte byteAt(int index) {
    int at = index;
    for (Buffer b : held) {
      if (at < b.length()) {
        return b.getByte(at);
      }
      at -= b.length();
    }
    throw new IndexOutOfBoundsException(index);
  }

  /** The first message is whole: one copy into its own array, then on as one chunk. */
  private void gathered() {
    int size = (int) expected;
    byte[] array = new byte[HEADROOM + size];
    int at = HEADROOM;
    Buffer rest = null;
    for (Buffer b : held) {
      int take = Math.min(b.length(), HEADROOM + size - at);
      b.getBytes(0, take, array, at);
      at += take;
      if (take < b.length()) {
        rest = b.slice(take, b.length());
      }
    }
    held.clear();
    heldBytes = 0;
    passing = true;
    next.handle(BufferInternal.buffer(Unpooled.wrappedBuffer(array, HEADROOM, size)));
    if (rest != null) {
      next.handle(rest);
    }
  }

  /** The stream ended before its one message was whole (or had none): INVALID_ARGUMENT. */
  private void refuseCutShort() {
    String message =
        expected < 0
            ? "the call ended after "
                + heldBytes
                + " bytes, before a whole message (gRPC's 5-byte length prefix, then the message)"
            : "the message ended after "
                + (heldBytes - PREFIX)
                + " of the "
                + (expected - PREFIX)
                + " bytes its length prefix declares";
    held.clear();
    passing = true;
    HttpServerResponse resp = delegate.response();
    if (!resp.ended() && !resp.headWritten()) {
      resp.setStatusCode(200)
          .putHeader("content-type", "application/grpc")
          .putHeader("grpc-status", Integer.toString(GrpcStatus.INVALID_ARGUMENT.code))
          .putHeader("grpc-message", message)
          .end();
    }
  }

  private void handOnHeld() {
    passing = true;
    if (held.isEmpty() || next == null) {
      return;
    }
    List<Buffer> chunks = List.copyOf(held);
    held.clear();
    heldBytes = 0;
    for (Buffer b : chunks) {
      next.handle(b);
    }
  }
}
