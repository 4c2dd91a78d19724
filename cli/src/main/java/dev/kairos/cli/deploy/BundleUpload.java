package dev.kairos.cli.deploy;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpServerRequest;
import java.nio.file.Path;

/**
 * Receives a request body into a file, never into the heap, and refuses it as soon as it passes a
 * size limit. The body is written as it arrives, with back-pressure (the request is paused while
 * the disk lags), so the memory a deploy takes does not grow with the bundle. A body that is too
 * large, a client that goes away and a failed write all delete the file.
 */
final class BundleUpload {
  private final Vertx vertx;
  private final HttpServerRequest request;
  private final Path file;
  private final long maxBytes;
  private final Promise<Path> done = Promise.promise();
  private AsyncFile out;
  private long received;

  private BundleUpload(Vertx vertx, HttpServerRequest request, Path file, long maxBytes) {
    this.vertx = vertx;
    this.request = request;
    this.file = file;
    this.maxBytes = maxBytes;
  }

  /** Too many bytes: the limit is in the message. */
  static final class TooLarge extends RuntimeException {
    TooLarge(long maxBytes) {
      super("the bundle is larger than " + maxBytes + " bytes, the most this platform accepts");
    }
  }

  /**
   * Writes the body of {@code request} to {@code file} (which must not exist).
   *
   * @return the file once the whole body is in it (written and closed); failed with {@link
   *     TooLarge} past {@code maxBytes}, or with the cause when the client leaves or the write
   *     fails, the file then deleted
   */
  static Future<Path> receive(Vertx vertx, HttpServerRequest request, Path file, long maxBytes) {
    BundleUpload u = new BundleUpload(vertx, request, file, maxBytes);
    request.pause();
    vertx
        .fileSystem()
        .open(file.toString(), new OpenOptions().setCreateNew(true).setWrite(true))
        .onSuccess(u::start)
        .onFailure(u::fail);
    return u.done.future();
  }

  private void start(AsyncFile f) {
    out = f;
    out.exceptionHandler(this::fail);
    request.exceptionHandler(this::fail);
    request.response().closeHandler(v -> fail(new IllegalStateException("the client went away")));
    request.handler(
        buf -> {
          if (done.future().isComplete()) {
            return; // refused already: the rest is read and dropped until the connection closes
          }
          received += buf.length();
          if (received > maxBytes) {
            fail(new TooLarge(maxBytes));
            return;
          }
          out.write(buf);
          if (out.writeQueueFull()) {
            request.pause();
            out.drainHandler(v -> request.resume());
          }
        });
    request.endHandler(
        v -> {
          if (!done.future().isComplete()) {
            out.close().onSuccess(x -> done.tryComplete(file)).onFailure(this::fail);
          }
        });
    request.resume();
  }

  private void fail(Throwable cause) {
    if (!done.tryFail(cause)) {
      return;
    }
    Future<Void> closed = out == null ? Future.succeededFuture() : out.close();
    closed.eventually(() -> vertx.fileSystem().delete(file.toString()).otherwiseEmpty());
  }
}
