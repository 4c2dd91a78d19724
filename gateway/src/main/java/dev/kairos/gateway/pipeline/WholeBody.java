package dev.kairos.gateway.pipeline;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.function.Consumer;

/**
 * A body read whole from a stream of chunks (a client's request, a replica's answer), without a
 * copy when it arrives in one chunk, as small bodies do: Vert.x hands each chunk over as a buffer
 * of its own, which then is the body. Only a body in several chunks is gathered into one buffer,
 * sized by its declared length when there is one.
 */
final class WholeBody implements Handler<Buffer> {
  private final long declared;
  private final long limit;
  private final Runnable overLimit;
  private Buffer body;
  private boolean gathering;
  private boolean over;

  private WholeBody(long declared, long limit, Runnable overLimit) {
    this.declared = declared;
    this.limit = limit;
    this.overLimit = overLimit;
  }

  /**
   * Reads {@code from} to its end, then hands the body to {@code then}; past {@code limit} bytes it
   * runs {@code overLimit} once instead and drops the rest.
   *
   * @param declared the body's declared length, or -1
   */
  static void read(
      ReadStream<Buffer> from,
      long declared,
      long limit,
      Consumer<Buffer> then,
      Runnable overLimit,
      Handler<Throwable> failed) {
    WholeBody whole = new WholeBody(declared, limit, overLimit);
    from.handler(whole);
    from.exceptionHandler(failed);
    from.endHandler(
        v -> {
          if (!whole.over) {
            then.accept(whole.body());
          }
        });
  }

  /** The whole body of {@code from}, or its failure if it breaks off. */
  static Future<Buffer> of(ReadStream<Buffer> from) {
    Promise<Buffer> done = Promise.promise();
    read(from, -1, Long.MAX_VALUE, done::tryComplete, () -> {}, done::tryFail);
    return done.future();
  }

  @Override
  public void handle(Buffer chunk) {
    if (over) {
      return;
    }
    long had = body == null ? 0 : body.length();
    if (had + chunk.length() > limit) {
      over = true;
      body = null;
      overLimit.run();
      return;
    }
    if (body == null) {
      body = chunk;
      return;
    }
    if (!gathering) {
      // The first chunk is Vert.x's buffer, exactly its size: gather into one with room.
      long size = Math.min(Math.max(declared, had + chunk.length()), limit);
      Buffer first = body;
      body = Buffer.buffer((int) Math.min(size, Integer.MAX_VALUE - 8));
      body.appendBuffer(first);
      gathering = true;
    }
    body.appendBuffer(chunk);
  }

  private Buffer body() {
    return body != null ? body : Buffer.buffer();
  }
}
