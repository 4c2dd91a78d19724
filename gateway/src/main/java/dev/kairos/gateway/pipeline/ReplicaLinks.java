package dev.kairos.gateway.pipeline;

import dev.kairos.gateway.route.Replica;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The default {@link ReplicaClient}: plain Netty HTTP/1.1 below Vert.x, on the event loop of the
 * request being forwarded. Each event loop keeps its own {@link ReplicaPool} of keep-alive
 * connections per replica, so a request and its answer never leave the thread that serves the
 * client's connection, and nothing is shared between loops. What Vert.x's client adds on top of the
 * wire (a pool shared across loops, request and response objects, per-chunk context dispatch) is
 * what this leaves out; the replica's answer is handed over as Vert.x buffers.
 *
 * <p>The per-replica limit holds for each loop: a loop cannot borrow another's connection, so a
 * share of the limit would make a loop that happens to hold more of the traffic wait (then 503)
 * while others' connections sit idle. A connection carries one request at a time and opens only
 * when its loop has no idle one, so what is open to a replica follows what is in flight at it,
 * which admission already bounds by the replica's capacity. Idle connections close after the
 * keep-alive time, and at once when their replica drains (it is on its way out).
 */
final class ReplicaLinks implements ReplicaClient {
  private static final long KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(60);
  private static final long SWEEP_MS = 5_000;

  private final VertxInternal vertx;
  private final int maxPerLoop;
  private final Map<EventLoop, Loop> loops = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * @param maxPerLoop connections to one replica from one event loop
   */
  ReplicaLinks(VertxInternal vertx, int maxPerLoop) {
    this.vertx = vertx;
    this.maxPerLoop = maxPerLoop;
  }

  @Override
  public Future<ReplicaRequest> request(
      HttpMethod method, Replica replica, String uri, long connectTimeoutMs, long idleTimeoutMs) {
    ContextInternal ctx = vertx.getOrCreateContext();
    EventLoop loop = ctx.nettyEventLoop();
    String host = replica.port() == 80 ? replica.host() : replica.host() + ":" + replica.port();
    ReplicaExchange ex =
        new ReplicaExchange(ctx, method, host, uri, connectTimeoutMs, idleTimeoutMs);
    if (loop.inEventLoop()) {
      acquire(loop, replica, ex);
    } else {
      loop.execute(() -> acquire(loop, replica, ex));
    }
    return ex.connectedFuture();
  }

  private void acquire(EventLoop loop, Replica replica, ReplicaExchange ex) {
    if (closed) {
      ex.failConnect(new IllegalStateException("the gateway is closing"));
      return;
    }
    loops.computeIfAbsent(loop, Loop::new).pool(replica).acquire(ex, ex.connectTimeoutMs);
  }

  @Override
  public Future<Void> close() {
    closed = true;
    List<Future<Void>> done = new ArrayList<>();
    for (Loop l : loops.values()) {
      done.add(l.close());
    }
    return Future.all(done).mapEmpty();
  }

  /** Connections held (open, idle) to {@code replica} by all loops: for tests and metrics. */
  int[] connections(Replica replica) {
    int[] n = new int[2];
    for (Loop l : loops.values()) {
      int[] c = l.count(replica);
      n[0] += c[0];
      n[1] += c[1];
    }
    return n;
  }

  /** One event loop's pools, touched only on that loop. */
  private final class Loop {
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final Map<Replica, ReplicaPool> pools = new IdentityHashMap<>();
    private final io.netty.util.concurrent.ScheduledFuture<?> sweeper;

    Loop(EventLoop loop) {
      this.loop = loop;
      this.bootstrap =
          new Bootstrap()
              .group(loop)
              .channelFactory(vertx.transport().channelFactory(false))
              .resolver(vertx.nameResolver().nettyAddressResolverGroup())
              .option(ChannelOption.TCP_NODELAY, true)
              .option(ChannelOption.SO_KEEPALIVE, true);
      sweeper = loop.scheduleWithFixedDelay(this::sweep, SWEEP_MS, SWEEP_MS, TimeUnit.MILLISECONDS);
    }

    ReplicaPool pool(Replica replica) {
      ReplicaPool p = pools.get(replica);
      if (p == null) {
        p = new ReplicaPool(replica, loop, bootstrap, maxPerLoop);
        pools.put(replica, p);
      }
      return p;
    }

    /** Idle connections past their keep-alive, or of draining replicas, close; empty pools go. */
    private void sweep() {
      pools.values().removeIf(p -> p.sweep(KEEP_ALIVE_NANOS));
    }

    int[] count(Replica replica) {
      if (loop.inEventLoop()) {
        ReplicaPool p = pools.get(replica);
        return p == null ? new int[2] : new int[] {p.open(), p.idle()};
      }
      try {
        return loop.submit(() -> count(replica)).get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    Future<Void> close() {
      io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
      loop.execute(
          () -> {
            sweeper.cancel(false);
            for (ReplicaPool p : pools.values()) {
              p.closeAll();
            }
            done.complete();
          });
      return done.future();
    }
  }
}
