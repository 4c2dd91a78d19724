package dev.kairos.gateway.pipeline;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;

/**
 * One keep-alive HTTP/1.1 connection to a replica: an {@link HttpClientCodec}, then this, which
 * hands what the replica sends to the one {@link ReplicaExchange} the connection carries at a time.
 */
final class ReplicaConnection extends ChannelInboundHandlerAdapter {
  /** The replica's answers are headers and a JSON head: lines and headers of ordinary size. */
  private static final int MAX_LINE = 8192;

  private static final int MAX_HEADERS = 64 * 1024;

  private final ReplicaPool pool;
  private Channel channel;
  private ReplicaExchange current;

  /** When it last went back to the pool (for the keep-alive sweep). */
  long idleSinceNanos;

  ReplicaConnection(ReplicaPool pool) {
    this.pool = pool;
  }

  Channel channel() {
    return channel;
  }

  ReplicaPool pool() {
    return pool;
  }

  /** The connection carries {@code ex} now. */
  void carry(ReplicaExchange ex) {
    current = ex;
  }

  /** {@code ex} has its whole answer: the connection is free for the pool. */
  void done(ReplicaExchange ex, boolean reusable) {
    if (current == ex) {
      current = null;
      if (!channel.config().isAutoRead()) {
        channel.config().setAutoRead(true);
      }
      pool.release(this, reusable);
    }
  }

  /** {@code ex} gives up its connection midway: closed, since its state is unknown. */
  void abandon(ReplicaExchange ex) {
    if (current == ex) {
      current = null;
      channel.close();
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    ctx.pipeline()
        .addBefore(ctx.name(), "http", new HttpClientCodec(MAX_LINE, MAX_HEADERS, 64 * 1024));
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ReplicaExchange ex = current;
    if (ex == null) {
      // Nothing was asked: a replica that speaks out of turn cannot be trusted with the next one.
      ReferenceCountUtil.release(msg);
      ctx.close();
      return;
    }
    if (msg instanceof HttpObject) {
      ex.received((HttpObject) msg);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    ReplicaExchange ex = current;
    current = null;
    pool.closed(this);
    if (ex != null) {
      ex.failed(new IOException("Connection was closed"));
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ReplicaExchange ex = current;
    current = null;
    ctx.close();
    if (ex != null) {
      ex.failed(cause);
    }
  }
}
