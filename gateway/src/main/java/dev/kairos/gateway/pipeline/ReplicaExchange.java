package dev.kairos.gateway.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.impl.headers.HeadersAdaptor;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.buffer.BufferInternal;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One request to a replica and its answer, on a {@link ReplicaConnection} of the calling event
 * loop: everything here runs on that loop. The request goes out as one header block and the body in
 * hand; the answer's head completes {@link #send}, its body is read as a stream of chunks with
 * back-pressure (a paused answer stops reading from the replica's socket), and once it is whole the
 * connection goes back to the pool. A replica silent for longer than the idle timeout, or a
 * connection that closes before the answer is whole, fails the answer.
 */
final class ReplicaExchange implements ReplicaRequest, ReplicaAnswer {
  private static final Object END = new Object();

  private final ContextInternal context;
  private final HttpMethod method;
  private final String uri;
  private final String host;
  private final long idleTimeoutNanos;
  private final DefaultHttpHeaders headers = new DefaultHttpHeaders(false);
  private final Promise<ReplicaRequest> connected;
  private ReplicaPool pool;
  private ReplicaConnection conn;
  private Promise<ReplicaAnswer> answered;

  final long connectTimeoutMs;
  ScheduledFuture<?> waitTimer;

  // The answer
  private HttpResponse head;
  private MultiMap headMap;
  private boolean whole;
  private boolean reset;
  private Throwable failure;
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private long demand = Long.MAX_VALUE;
  private boolean discarding;

  /** Chunks (and then {@link #END}) read while paused or before a handler was set. */
  private ArrayDeque<Object> pending;

  private long lastReadNanos;

  ReplicaExchange(
      ContextInternal context,
      HttpMethod method,
      String host,
      String uri,
      long connectTimeoutMs,
      long idleTimeoutMs) {
    this.context = context;
    this.method = method;
    this.host = host;
    this.uri = uri;
    this.connectTimeoutMs = connectTimeoutMs;
    this.idleTimeoutNanos = idleTimeoutMs > 0 ? TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs) : 0;
    this.connected = Promise.promise();
  }

  Future<ReplicaRequest> connectedFuture() {
    return connected.future();
  }

  // ---- the pool's side

  void connected(ReplicaConnection c) {
    conn = c;
    pool = c.pool();
    c.carry(this);
    if (ContextInternal.current() == context) {
      connected.tryComplete(this); // a pooled connection, had at once: already on the context
    } else {
      // On the context, so that what the stages do next (a retry's timers, say) stays on it.
      context.emit(this, connected::tryComplete);
    }
  }

  void failConnect(Throwable cause) {
    context.emit(cause, connected::tryFail);
  }

  void cancelWait() {
    if (waitTimer != null) {
      waitTimer.cancel(false);
      waitTimer = null;
    }
  }

  // ---- ReplicaRequest

  @Override
  public ReplicaRequest putHeader(CharSequence name, CharSequence value) {
    headers.set(name, value);
    return this;
  }

  @Override
  public Future<ReplicaAnswer> send(Buffer body) {
    answered = Promise.promise();
    if (conn == null) {
      answered.fail(failure != null ? failure : new IllegalStateException("not connected"));
      return answered.future();
    }
    ByteBuf content = ((BufferInternal) body).getByteBuf();
    DefaultFullHttpRequest req =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1,
            io.netty.handler.codec.http.HttpMethod.valueOf(method.name()),
            uri,
            content,
            headers,
            DefaultHttpHeaders.EMPTY_HEADERS);
    headers.set(HttpHeaderNames.HOST, host);
    headers.setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
    lastReadNanos = System.nanoTime();
    ReplicaConnection c = conn;
    c.watch(this);
    // A failed write reaches the connection's exceptionCaught, which fails this exchange.
    c.channel().writeAndFlush(req, c.channel().voidPromise());
    return answered.future();
  }

  @Override
  public Future<ReplicaAnswer> sendStreamed(Caller from) {
    // Forward sends bodies still at the client through Vert.x's client, which pipes them.
    throw new UnsupportedOperationException("a streamed body goes through Vert.x's client");
  }

  @Override
  public void reset() {
    if (whole || failure != null) {
      return;
    }
    reset = true;
    ReplicaConnection c = conn;
    conn = null;
    if (c != null) {
      c.abandon(this);
    }
    failed(new IllegalStateException("the request was reset"));
  }

  // ---- the connection's side

  void received(HttpObject msg) {
    if (msg.decoderResult().isFailure()) {
      Throwable cause = msg.decoderResult().cause();
      io.netty.util.ReferenceCountUtil.release(msg);
      ReplicaConnection c = conn;
      conn = null;
      if (c != null) {
        c.abandon(this);
      }
      failed(cause);
      return;
    }
    lastReadNanos = System.nanoTime();
    if (msg instanceof HttpResponse) {
      HttpResponse r = (HttpResponse) msg;
      if (r.status().codeClass() == io.netty.handler.codec.http.HttpStatusClass.INFORMATIONAL
          && r.status().code() != HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
        return; // 100 Continue and the like: the answer is still to come
      }
      head = r;
      if (answered != null) {
        context.emit(this, answered::tryComplete);
      }
    }
    if (msg instanceof HttpContent) {
      HttpContent chunk = (HttpContent) msg;
      ByteBuf bytes = chunk.content();
      boolean last = msg instanceof LastHttpContent;
      if (bytes.isReadable() && !discarding) {
        // Vert.x's buffers are unpooled heap buffers: the pooled bytes are copied out and freed.
        deliver(BufferInternal.safeBuffer(bytes));
      } else {
        bytes.release();
      }
      if (last) {
        answerWhole();
      }
    }
  }

  /** The connection broke, timed out, or was reset: whatever waits learns it, once. */
  void failed(Throwable cause) {
    if (whole || failure != null) {
      return;
    }
    failure = cause;
    conn = null;
    if (head == null) {
      if (answered != null) {
        context.emit(cause, answered::tryFail);
      }
      return;
    }
    if (exceptionHandler == null
        || (pending != null && !pending.isEmpty() && demand > 0 && !reset)) {
      // What was read before the failure is still to be handed over first, or no one listens yet.
      if (pending == null) {
        pending = new ArrayDeque<>(2);
      }
      pending.add(cause);
      drain();
      return;
    }
    pending = null;
    Handler<Throwable> h = exceptionHandler;
    if (h != null) {
      h.handle(cause);
    }
  }

  private void answerWhole() {
    whole = true;
    ReplicaConnection c = conn;
    conn = null;
    if (c != null) {
      c.done(this, HttpUtil.isKeepAlive(head));
    }
    deliver(END);
  }

  // ---- ReplicaAnswer

  @Override
  public int statusCode() {
    return head.status().code();
  }

  @Override
  public String getHeader(CharSequence name) {
    return head.headers().get(name);
  }

  @Override
  public MultiMap headers() {
    if (headMap == null) {
      // A view of the answer's own headers, not a copy (read-only by the relay's callers).
      headMap = new HeadersAdaptor(head.headers());
    }
    return headMap;
  }

  @Override
  public void discard() {
    discarding = true;
    handler = null;
    if (pending != null) {
      pending.removeIf(o -> o instanceof Buffer);
    }
    resume();
  }

  @Override
  public ReplicaExchange handler(Handler<Buffer> h) {
    handler = h;
    if (h != null) {
      drain();
    }
    return this;
  }

  @Override
  public ReplicaExchange endHandler(Handler<Void> h) {
    endHandler = h;
    if (h != null) {
      drain();
    }
    return this;
  }

  @Override
  public ReplicaExchange exceptionHandler(Handler<Throwable> h) {
    exceptionHandler = h;
    if (h != null) {
      drain();
    }
    return this;
  }

  @Override
  public ReplicaExchange pause() {
    demand = 0;
    return this;
  }

  @Override
  public ReplicaExchange resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public ReplicaExchange fetch(long amount) {
    if (amount <= 0) {
      return this;
    }
    demand = demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
    drain();
    ReplicaConnection c = conn;
    if (demand > 0 && c != null && !c.channel().config().isAutoRead()) {
      c.channel().config().setAutoRead(true);
    }
    return this;
  }

  private void deliver(Object item) {
    if (pending == null && demand > 0 && (item == END ? endHandler != null : handler != null)) {
      emit(item);
      return;
    }
    if (pending == null) {
      pending = new ArrayDeque<>(4);
    }
    pending.add(item);
    ReplicaConnection c = conn;
    if (demand == 0 && c != null && c.channel().config().isAutoRead()) {
      // Stop reading the replica's socket until the reader wants more.
      c.channel().config().setAutoRead(false);
    }
    drain();
  }

  private void drain() {
    while (pending != null && !pending.isEmpty() && demand > 0) {
      Object item = pending.peek();
      if (item == END
          ? endHandler == null
          : item instanceof Buffer ? handler == null : exceptionHandler == null) {
        return;
      }
      pending.poll();
      emit(item);
    }
  }

  @SuppressWarnings("unchecked")
  private void emit(Object item) {
    if (item == END) {
      endHandler.handle(null);
    } else if (item instanceof Throwable) {
      if (exceptionHandler != null) {
        exceptionHandler.handle((Throwable) item);
      }
    } else {
      if (demand != Long.MAX_VALUE) {
        demand--;
      }
      if (!discarding && handler != null) {
        handler.handle((Buffer) item);
      }
    }
  }

  // ---- the idle deadline (watched by the connection, see ReplicaConnection#watch)

  /** When the replica's silence runs past the idle deadline, or {@link Long#MAX_VALUE}. */
  long idleDueNanos() {
    return idleTimeoutNanos <= 0 || whole || failure != null
        ? Long.MAX_VALUE
        : lastReadNanos + idleTimeoutNanos;
  }

  /** The replica stayed silent past the idle deadline: the connection is given up. */
  void idleTimedOut() {
    ReplicaConnection c = conn;
    conn = null;
    if (c != null) {
      c.abandon(this);
    }
    failed(
        new TimeoutException(
            "The timeout period of "
                + TimeUnit.NANOSECONDS.toMillis(idleTimeoutNanos)
                + "ms has been exceeded while executing "
                + method
                + " "
                + uri
                + " for server "
                + host));
  }
}
