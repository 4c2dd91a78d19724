package dev.kairos.gateway.pipeline;

import dev.kairos.gateway.route.Replica;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The keep-alive connections of one event loop to one replica, used only on that loop (so nothing
 * here is shared or locked). A request takes an idle connection, else opens one while fewer than
 * the limit are open, else waits its turn until its connect timeout. A connection comes back after
 * a whole answer, unless the replica said {@code Connection: close} or drains; one that breaks or
 * closes is dropped, and a waiter gets a new one.
 */
final class ReplicaPool {
  private final Replica replica;
  private final EventLoop loop;
  private final Bootstrap bootstrap;
  private final int max;
  private final ArrayDeque<ReplicaConnection> idle = new ArrayDeque<>();
  private final ArrayDeque<ReplicaExchange> waiters = new ArrayDeque<>();
  private int open;
  private boolean closing;

  ReplicaPool(Replica replica, EventLoop loop, Bootstrap bootstrap, int max) {
    this.replica = replica;
    this.loop = loop;
    this.bootstrap = bootstrap;
    this.max = max;
  }

  Replica replica() {
    return replica;
  }

  /** Gives {@code ex} a connection now, or as soon as one is free within its connect timeout. */
  void acquire(ReplicaExchange ex, long connectTimeoutMs) {
    ReplicaConnection idleOne = pollIdle();
    if (idleOne != null) {
      ex.connected(idleOne);
      return;
    }
    if (open < max) {
      connect(ex, connectTimeoutMs);
      return;
    }
    waiters.add(ex);
    ex.waitTimer =
        loop.schedule(
            () -> {
              if (waiters.remove(ex)) {
                ex.failConnect(
                    new TimeoutException(
                        "no connection to " + replica + " within " + connectTimeoutMs + " ms"));
              }
            },
            connectTimeoutMs,
            TimeUnit.MILLISECONDS);
  }

  /** {@code ex} no longer wants a connection (its caller went away). */
  void forget(ReplicaExchange ex) {
    waiters.remove(ex);
  }

  /** A connection whose answer was read whole: kept for the next request, or closed. */
  void release(ReplicaConnection c, boolean reusable) {
    if (!reusable || closing || !c.channel().isActive() || replica.draining()) {
      c.channel().close();
      return;
    }
    ReplicaExchange next = waiters.poll();
    if (next != null) {
      next.cancelWait();
      next.connected(c);
      return;
    }
    c.idleSinceNanos = System.nanoTime();
    idle.push(c);
  }

  /** A connection closed (by either side): another may be opened for a waiter. */
  void closed(ReplicaConnection c) {
    open--;
    idle.remove(c);
    ReplicaExchange next = waiters.poll();
    if (next != null) {
      next.cancelWait();
      connect(next, next.connectTimeoutMs);
    }
  }

  /**
   * Closes connections idle longer than {@code keepAliveNanos}, and every idle one of a replica
   * that drains (it is on its way out); true when the pool holds nothing any more.
   */
  boolean sweep(long keepAliveNanos) {
    long now = System.nanoTime();
    boolean draining = replica.draining();
    for (Iterator<ReplicaConnection> it = idle.iterator(); it.hasNext(); ) {
      ReplicaConnection c = it.next();
      if (draining || now - c.idleSinceNanos > keepAliveNanos) {
        it.remove();
        c.channel().close();
      }
    }
    return open == 0 && waiters.isEmpty();
  }

  /** Closes every connection (the gateway stops). */
  void closeAll() {
    closing = true;
    for (ReplicaExchange w : waiters) {
      w.cancelWait();
      w.failConnect(new IllegalStateException("the gateway is closing"));
    }
    waiters.clear();
    for (ReplicaConnection c : idle) {
      c.channel().close();
    }
    idle.clear();
  }

  int open() {
    return open;
  }

  int idle() {
    return idle.size();
  }

  private ReplicaConnection pollIdle() {
    ReplicaConnection c;
    while ((c = idle.poll()) != null) {
      if (c.channel().isActive()) {
        return c;
      }
    }
    return null;
  }

  private void connect(ReplicaExchange ex, long connectTimeoutMs) {
    open++;
    ChannelFuture f =
        bootstrap
            .clone()
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(connectTimeoutMs, 1 << 30))
            .handler(new ReplicaConnection(this))
            .connect(replica.host(), replica.port());
    f.addListener(
        done -> {
          if (done.isSuccess()) {
            ReplicaConnection c = f.channel().pipeline().get(ReplicaConnection.class);
            ex.connected(c);
          } else {
            // The channel never became active, so closed() will not be told: count it here.
            if (f.channel().isRegistered() && f.channel().isOpen()) {
              f.channel().close();
            }
            open--;
            ex.failConnect(done.cause());
            ReplicaExchange next = waiters.poll();
            if (next != null) {
              next.cancelWait();
              connect(next, next.connectTimeoutMs);
            }
          }
        });
  }
}
