package dev.kairos.gateway.pipeline;

import dev.kairos.sdk.oip.InvalidInputException;
import dev.kairos.sdk.oip.OipPath;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.buffer.BufferInternal;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The hot path of the public port, one per HTTP/1.x connection, in Vert.x's own server pipeline
 * just before Vert.x's connection handler: Vert.x's decoder (with its header limits and
 * validation), TLS, encoder and idle handling stay in place, and this handler takes OIP {@code
 * infer} requests whose small body comes with a {@code Content-Length}, hands them to the {@link
 * Pipeline} through a {@link NettyCaller}, and writes their answers itself, without Vert.x's
 * request and response objects, header maps and message queue.
 *
 * <p>Every other message goes on to Vert.x untouched: other paths and methods, chunked bodies,
 * {@code Expect}, {@code Upgrade}, bodies over {@link Admit#BUFFERED_BODY_LIMIT} or the body limit
 * (Vert.x's path answers 413), messages the decoder could not read, and any request that arrives
 * while a request given to Vert.x is still unanswered on this connection (its answer is seen going
 * out: the response's last part). Answers leave in the order of the requests: while a request taken
 * here is outstanding, the messages that follow it are held (and the socket is not read) until its
 * answer is written. A close asked while a taken request is outstanding (Vert.x's graceful
 * shutdown) waits for its answer; a second close does not.
 */
final class NettyFront extends ChannelDuplexHandler {
  /** The handler's name in the channel's pipeline. */
  static final String NAME = "kairosFront";

  /** The name of Vert.x's HTTP encoder in the pipeline. */
  static final String ENCODER = "httpEncoder";

  private static final String INFER_PREFIX = "/v2/models/";

  private final Pipeline pipeline;
  private final ContextInternal context;
  private final long maxBody;
  private final LongAdder taken;
  private ChannelHandlerContext ctx;

  /**
   * Where an answer is written: Vert.x's encoder's context, so that the answer's bytes, already
   * encoded (see {@link NettyCaller}), go on from below it (through TLS when there is TLS).
   */
  private ChannelHandlerContext encoder;

  /** Requests given to Vert.x whose answer has not gone out yet. */
  private int vertxUnanswered;

  /** The rest of a request given to Vert.x: its body goes to Vert.x too. */
  private boolean toVertx;

  /** The request taken here and not yet answered, or null. */
  private NettyCaller current;

  /** The request taken here whose body is still arriving (answered or not), or null. */
  private NettyCaller reading;

  /** Whether the current request's call has entered the pipeline. */
  private boolean started;

  /** Admit's wait for the body, when the call started before its body was whole. */
  private Consumer<Buffer> bodyWanted;

  private HttpRequest head;
  private long declared;
  private String model;
  private String version;
  private long startNanos;

  /** The body being read (null until its first chunk, then the whole body once read). */
  private Buffer body;

  private boolean gathering;

  /** Messages that came after the request taken here, while it is outstanding. */
  private final ArrayDeque<Object> held = new ArrayDeque<>(4);

  private boolean draining;

  /** Whether this handler stopped reading the socket (while it holds messages). */
  private boolean stoppedReading;

  private ChannelPromise deferredClose;
  private boolean closing;

  NettyFront(Pipeline pipeline, ContextInternal context, long maxBodyBytes, LongAdder taken) {
    this.pipeline = pipeline;
    this.taken = taken;
    this.context = context;
    this.maxBody = Math.min(maxBodyBytes, Admit.BUFFERED_BODY_LIMIT);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    ChannelHandlerContext e = ctx.pipeline().context(ENCODER);
    this.encoder = e != null ? e : ctx;
  }

  ByteBufAllocator alloc() {
    return ctx.alloc();
  }

  // ---- inbound

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (reading == null && (current != null || !held.isEmpty())) {
      held.add(msg);
      if (!stoppedReading) {
        stoppedReading = true;
        ctx.channel().config().setAutoRead(false);
      }
      return;
    }
    read(msg);
  }

  private void read(Object msg) {
    if (reading != null) {
      // Only the body of the request taken here comes now (see channelRead and drain).
      if (msg instanceof HttpContent chunk) {
        content(chunk);
      } else {
        ReferenceCountUtil.release(msg); // not produced by the decoder between a head and its end
      }
      return;
    }
    if (toVertx) {
      if (msg instanceof LastHttpContent) {
        toVertx = false;
      }
      ctx.fireChannelRead(msg);
      return;
    }
    if (msg instanceof HttpRequest req) {
      if (vertxUnanswered == 0 && take(req)) {
        if (msg instanceof HttpContent chunk) {
          content(chunk);
        }
        return;
      }
      vertxUnanswered++;
      toVertx = !(msg instanceof LastHttpContent);
    }
    ctx.fireChannelRead(msg);
  }

  /** Whether {@code req} is one taken here; if so it becomes the current request. */
  private boolean take(HttpRequest req) {
    if (!req.decoderResult().isSuccess()
        || req.method() != HttpMethod.POST
        || (req.protocolVersion() != HttpVersion.HTTP_1_1
            && req.protocolVersion() != HttpVersion.HTTP_1_0)) {
      return false;
    }
    String uri = req.uri();
    if (!uri.startsWith(INFER_PREFIX) || uri.indexOf('?') >= 0 || uri.indexOf('%') >= 0) {
      return false;
    }
    HttpHeaders h = req.headers();
    if (h.contains(HttpHeaderNames.TRANSFER_ENCODING)
        || h.contains(HttpHeaderNames.EXPECT)
        || h.contains(HttpHeaderNames.UPGRADE)
        || !h.contains(HttpHeaderNames.HOST)) {
      return false;
    }
    String length = h.get(HttpHeaderNames.CONTENT_LENGTH);
    if (length == null) {
      return false;
    }
    long n;
    try {
      n = Long.parseLong(length);
    } catch (NumberFormatException e) {
      return false;
    }
    if (n < 0 || n > maxBody) {
      return false;
    }
    OipPath p;
    try {
      p = OipPath.parse(uri);
    } catch (InvalidInputException e) {
      return false; // Vert.x's path answers 400 naming what is wrong
    }
    if (p == null || p.op() != OipPath.Op.INFER) {
      return false;
    }
    startNanos = pipeline.time().monotonicNanos();
    head = req;
    declared = n;
    model = p.model();
    version = p.version();
    body = null;
    gathering = false;
    started = false;
    bodyWanted = null;
    current = reading = new NettyCaller(this, req, n);
    taken.increment();
    return true;
  }

  private void content(HttpContent chunk) {
    ByteBuf bytes = chunk.content();
    if (!chunk.decoderResult().isSuccess()) {
      // Not produced for a body of declared length that the decoder reads; give up the connection.
      ReferenceCountUtil.release(chunk);
      ctx.close();
      return;
    }
    if (!bytes.isReadable() || reading != current) {
      chunk.release(); // empty, or the rest of a body whose request was already refused
    } else if (body == null) {
      // Most small bodies arrive in one chunk: it is the body (one copy to the heap, as Vert.x).
      body = BufferInternal.safeBuffer(bytes);
    } else {
      if (!gathering) {
        Buffer first = body;
        body = Buffer.buffer((int) declared);
        body.appendBuffer(first);
        gathering = true;
      }
      body.appendBuffer(BufferInternal.buffer(bytes));
      bytes.release();
    }
    if (!(chunk instanceof LastHttpContent)) {
      return;
    }
    NettyCaller c = reading;
    reading = null;
    Buffer whole = body == null ? Buffer.buffer() : body;
    body = null;
    if (c != current) {
      drain(); // refused before its body was in: what came after it goes on
    } else if (!started) {
      start(whole);
    } else if (bodyWanted != null) {
      Consumer<Buffer> then = bodyWanted;
      bodyWanted = null;
      context.emit(whole, then::accept);
    }
  }

  /**
   * The current request's call enters the pipeline: with its body when it came in the same read as
   * its head (the usual case), else at the end of that read without it, so that Admit can refuse
   * from the headers alone (an unknown key or model, a full model) as it does on Vert.x's path.
   */
  private void start(Buffer whole) {
    started = true;
    Call call = pipeline.call(current, model, version, null, false, false, head.uri(), startNanos);
    call.body = whole;
    head = null;
    context.emit(call, pipeline::enter);
  }

  /** Admit asks for the body of a call started without it. */
  void readBody(NettyCaller caller, Consumer<Buffer> then) {
    if (caller == current && reading == caller) {
      bodyWanted = then;
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (current != null && !started) {
      start(null);
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    closing = true;
    releaseHeld();
    NettyCaller c = current;
    if (c != null) {
      context.emit(c, NettyCaller::left);
    }
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseHeld();
  }

  private void releaseHeld() {
    Object m;
    while ((m = held.poll()) != null) {
      ReferenceCountUtil.release(m);
    }
  }

  // ---- outbound

  /** The answer of the current request (on the event loop): written, then what was held goes on. */
  void answer(NettyCaller caller, ByteBuf resp, boolean keepAlive) {
    if (caller != current || !ctx.channel().isActive()) {
      resp.release();
      return;
    }
    current = null;
    if (!keepAlive || deferredClose != null) {
      closing = true;
      releaseHeld();
      ChannelPromise close = deferredClose;
      deferredClose = null;
      encoder
          .writeAndFlush(resp)
          .addListener(close == null ? ChannelFutureListener.CLOSE : f -> ctx.close(close));
      return;
    }
    encoder.writeAndFlush(resp, encoder.voidPromise());
    if (reading == null && (stoppedReading || !held.isEmpty())) {
      drain();
    }
  }

  /** Goes on with the messages held behind the request just answered. */
  private void drain() {
    if (draining) {
      return;
    }
    draining = true;
    try {
      if (stoppedReading && !closing) {
        // Before the replay: should Vert.x pause the socket for a request replayed to it (a body
        // it streams), its pause stands.
        stoppedReading = false;
        ctx.channel().config().setAutoRead(true);
      }
      Object m;
      boolean replayed = false;
      while (!closing && (current == null || reading != null) && (m = held.poll()) != null) {
        read(m);
        replayed = true;
      }
      if (replayed) {
        // Vert.x flushes what it wrote during a read when the read completes: these messages
        // came outside one (after an answer), so their read is completed here.
        ctx.fireChannelReadComplete();
      }
      if (current != null && !started && !closing) {
        start(null); // its head was held: its body may not come before an answer
      }
      if (!held.isEmpty() && !stoppedReading && !closing) {
        stoppedReading = true; // held behind the request just taken
        ctx.channel().config().setAutoRead(false);
      }
    } finally {
      draining = false;
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    // Vert.x's writes pass here: the end of an answer to a request it was given.
    if (msg instanceof LastHttpContent
        && vertxUnanswered > 0
        && !(msg instanceof HttpResponse r
            && r.status().codeClass() == HttpStatusClass.INFORMATIONAL)) {
      vertxUnanswered--;
    }
    ctx.write(msg, promise);
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    if (current != null && deferredClose == null && ctx.channel().isActive()) {
      deferredClose = promise;
      return;
    }
    ctx.close(promise);
  }
}
