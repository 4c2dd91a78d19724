package dev.kairos.runtime.server;

import dev.kairos.multiplexer.arbiter.SliceRejectedException;
import dev.kairos.runtime.buffer.DirectMemoryExhaustedException;
import dev.kairos.runtime.core.DeadlineExceededException;
import dev.kairos.runtime.core.IsolationRefusedException;
import dev.kairos.runtime.core.ModelTooLargeException;
import dev.kairos.runtime.core.NotReadyException;
import dev.kairos.runtime.core.OverloadedException;
import dev.kairos.runtime.core.UnknownModelException;
import dev.kairos.runtime.engine.ModelLoadException;
import dev.kairos.sdk.model.ModelConfigException;
import dev.kairos.sdk.oip.InvalidInputException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.concurrent.CompletionException;

/** The one place where the runtime's exceptions become HTTP status codes. */
final class HttpErrors {
  /**
   * The client closed its connection before its answer (nginx's and the gateway's 499): counted,
   * never sent.
   */
  static final int CLIENT_CLOSED = 499;

  private HttpErrors() {}

  /**
   * Answers {@code req} unless its answer has ended. A 413 closes the connection once written: the
   * rest of the oversized body is never read, so the connection cannot carry another request
   * (Vert.x keeps a connection open unless the request asked otherwise).
   */
  static void answer(HttpServerRequest req, int status, String contentType, Buffer body) {
    HttpServerResponse resp = req.response();
    if (resp.ended() || resp.closed()) {
      return;
    }
    resp.setStatusCode(status).putHeader("Content-Type", contentType);
    if (status == 413) {
      resp.putHeader("Connection", "close");
      resp.end(body).onComplete(v -> req.connection().close());
    } else {
      resp.end(body);
    }
  }

  static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  static int status(Throwable t) {
    if (t instanceof HttpClosedException) {
      return CLIENT_CLOSED;
    }
    if (t instanceof InvalidInputException
        || t instanceof ModelConfigException
        || t instanceof ModelLoadException) {
      return 400;
    }
    if (t instanceof IsolationRefusedException) {
      return 409;
    }
    if (t instanceof ModelTooLargeException) {
      // Insufficient Storage: this host can never hold the model; another placement might.
      return 507;
    }
    if (t instanceof UnknownModelException) {
      return 404;
    }
    if (t instanceof PayloadTooLargeException) {
      return 413;
    }
    if (t instanceof OverloadedException
        || t instanceof DirectMemoryExhaustedException
        || t instanceof NotReadyException
        || t instanceof SliceRejectedException) {
      return 503;
    }
    if (t instanceof DeadlineExceededException) {
      return 504;
    }
    return 500;
  }
}
