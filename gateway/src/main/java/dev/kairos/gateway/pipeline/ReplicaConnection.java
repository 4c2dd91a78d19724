package dev.kairos.gateway.pipeline;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

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

  /** The pending check of the idle deadline, and when it runs. */
  private ScheduledFuture<?> idleCheck;

  private long checkAtNanos;

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

  /**
   * Watches the idle deadline of {@code ex}, just sent. One check per connection is pending at a
   * time and outlives the exchanges it watches: when it runs it fails an exchange past its
   * deadline, else it is scheduled again for the one in progress, if any. So a busy connection
   * schedules about one check per deadline period rather than one per request.
   */
  void watch(ReplicaExchange ex) {
    long due = ex.idleDueNanos();
    if (due == Long.MAX_VALUE || (idleCheck != null && checkAtNanos - due <= 0)) {
      return;
    }
    if (idleCheck != null) {
      idleCheck.cancel(false);
    }
    checkAt(due);
  }

  private void checkAt(long due) {
    checkAtNanos = due;
    idleCheck =
        channel
            .eventLoop()
            .schedule(this::checkIdle, due - System.nanoTime(), TimeUnit.NANOSECONDS);
  }

  private void checkIdle() {
    idleCheck = null;
    ReplicaExchange ex = current;
    if (ex == null) {
      return;
    }
    long due = ex.idleDueNanos();
    if (due == Long.MAX_VALUE) {
      return;
    }
    if (System.nanoTime() - due >= 0) {
      ex.idleTimedOut();
    } else {
      checkAt(due);
    }
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
