package dev.kairos.runtime.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.concurrent.atomic.LongAdder;

/**
 * Reads binary-extension request bodies below Vert.x, straight from Netty's buffers into the
 * buffers the engine reads, so that a body is copied once rather than twice (Vert.x copies every
 * chunk to a new heap buffer before its handlers see it).
 *
 * <p>It sits in a replica connection's pipeline between Vert.x's HTTP decoder and its connection
 * handler. For a request {@link BodyCapture#of} picks, it marks the request with an internal header
 * naming a {@link BodyCapture} and offers that capture while Vert.x dispatches the request: {@link
 * InferenceBody#read} accepts it there, on the same thread. Then the body's content goes into the
 * capture, Netty's buffers are released, and Vert.x sees the request end with one empty last
 * content, as a body-less request would. An offer nobody accepts lapses and the body goes on to
 * Vert.x as before: a request answered without its body (415, 503, 401) or one Vert.x holds back
 * behind another that is still being answered (HTTP/1.1 pipelining). The marker header is removed
 * from every incoming request, so a client cannot name a capture.
 *
 * <p>Back-pressure: an accepted body is read as fast as it arrives. It is bounded by the server's
 * maximum body size and lands in a buffer taken for it whole, and its reader waits for all of it. A
 * pipelined request, whose reader is not there yet, keeps Vert.x's queue and back-pressure.
 */
final class BinaryIntake extends ChannelInboundHandlerAdapter {
  /** The handler's name in the pipeline. */
  static final String NAME = "kairos-binary-intake";

  /** The internal header that names a request's capture. */
  static final AsciiString MARKER = AsciiString.cached("x-kairos-body-capture");

  private final long maxBodyBytes;
  private final LongAdder captured;
  private long sequence;
  private BodyCapture offered;
  private BodyCapture receiving;

  BinaryIntake(long maxBodyBytes, LongAdder captured) {
    this.maxBodyBytes = maxBodyBytes;
    this.captured = captured;
  }

  /**
   * Puts a new intake in {@code connection}'s pipeline after Vert.x's HTTP decoder; does nothing
   * for a connection without one (HTTP/2).
   */
  static void install(HttpConnection connection, long maxBodyBytes, LongAdder captured) {
    ChannelPipeline pipeline = ((ConnectionBase) connection).channel().pipeline();
    if (pipeline.get("httpDecoder") != null && pipeline.get(NAME) == null) {
      pipeline.addAfter("httpDecoder", NAME, new BinaryIntake(maxBodyBytes, captured));
    }
  }

  /**
   * The capture offered with {@code req} while Vert.x dispatches it, or null: a request not marked,
   * or not being dispatched from its intake on this thread right now.
   */
  static BodyCapture offered(HttpServerRequest req) {
    String mark = req.getHeader(MARKER);
    if (mark == null
        || !(req.connection() instanceof ConnectionBase connection)
        || !connection.channel().eventLoop().inEventLoop()) {
      // An offer lives only while its request is dispatched, on the connection's event loop.
      return null;
    }
    BinaryIntake intake = (BinaryIntake) connection.channel().pipeline().get(NAME);
    return intake == null ? null : intake.offered(mark);
  }

  /** The capture on offer now, if {@code mark} (a request's marker header) names it. */
  BodyCapture offered(String mark) {
    BodyCapture offer = offered;
    return offer != null && mark.equals(Long.toString(offer.sequence)) ? offer : null;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (receiving != null && msg instanceof HttpContent content) {
      receive(ctx, content);
    } else if (msg instanceof HttpRequest request && !(msg instanceof HttpContent)) {
      request.headers().remove(MARKER);
      offer(ctx, request);
    } else {
      ctx.fireChannelRead(msg);
    }
  }

  private void offer(ChannelHandlerContext ctx, HttpRequest request) {
    BodyCapture capture = BodyCapture.of(request, ++sequence, maxBodyBytes);
    if (capture == null) {
      ctx.fireChannelRead(request);
      return;
    }
    request.headers().set(MARKER, Long.toString(capture.sequence));
    offered = capture;
    try {
      ctx.fireChannelRead(request);
    } finally {
      offered = null;
    }
    if (capture.accepted()) {
      captured.increment();
      receiving = capture;
    }
  }

  private void receive(ChannelHandlerContext ctx, HttpContent content) {
    BodyCapture capture = receiving;
    if (!content.decoderResult().isSuccess()) {
      // Vert.x answers a malformed body as it always has.
      receiving = null;
      capture.fail(new IllegalStateException("malformed body", content.decoderResult().cause()));
      ctx.fireChannelRead(content);
      return;
    }
    try {
      capture.append(content.content());
    } finally {
      content.release();
    }
    if (content instanceof LastHttpContent) {
      receiving = null;
      ctx.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
      capture.end();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    abandon();
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    abandon();
  }

  private void abandon() {
    if (receiving != null) {
      BodyCapture capture = receiving;
      receiving = null;
      capture.fail(
          new HttpClosedException(
              "connection closed after "
                  + capture.received()
                  + " of the body's "
                  + capture.length()
                  + " bytes"));
    }
  }
}
