package dev.kairos.gateway.impl;

import dev.kairos.gateway.GatewayOptions;
import dev.kairos.gateway.activator.Activator;
import dev.kairos.gateway.metrics.GatewayMetrics;
import dev.kairos.gateway.metrics.GatewayMetrics.Rejection;
import dev.kairos.gateway.resilience.ReplicaBreaker;
import dev.kairos.gateway.resilience.RetryBudget;
import dev.kairos.gateway.route.Replica;
import dev.kairos.sdk.oip.InvalidInputException;
import dev.kairos.sdk.replica.ReplicaToken;
import dev.kairos.sdk.time.Clock;
import io.vertx.core.AsyncResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends an admitted exchange to a replica on pooled keep-alive connections and relays the answer.
 *
 * <p>Retries go to another replica when the request provably never reached a model: the connection
 * could not be had (refused, pool failure) before anything was written, or the replica answered 503
 * (draining or its queue full, so it ran nothing) and the body is still in hand. With {@link
 * dev.kairos.gateway.resilience.RetryOptions#retryOnReset()} (the default) a request whose replica
 * closed the connection before answering anything (it died holding it) is sent again too: inference
 * is a pure function of its inputs. Each retry needs a token of the {@link RetryBudget}. Anything
 * else that fails after the request was written is answered (502, or 504 on timeout) and never sent
 * twice. Nothing is retried once a byte of the answer went to the client.
 *
 * <p>Streams (server-sent events of a text-generation model) are piped event by event with
 * back-pressure, never buffered. A client that goes away resets the request to the replica, which
 * cancels its sequence. A stream is bounded by its deadline while silent (until its first byte and
 * between events), not in total, unless the client named a deadline ({@code Kairos-Timeout-Ms}),
 * which the replica then applies to the whole generation.
 */
final class Forwarder {
  private static final Logger log = LoggerFactory.getLogger(Forwarder.class);
  private static final String BINARY_HEADER = "Inference-Header-Content-Length";

  /** The runtime's deadline header (microseconds, or a duration such as {@code 250ms}). */
  private static final String REPLICA_DEADLINE_HEADER = "timeout";

  /** Responses up to this size are relayed in one write; larger ones are streamed. */
  private static final long BUFFERED_RESPONSE_LIMIT = 1 << 20;

  private final GatewayHandler front;
  private final HttpClient client;
  private final ReplicaChooser chooser;
  private final RetryBudget budget;
  private final GatewayOptions options;
  private final GatewayMetrics metrics;
  private final Clock time;
  private final InputsCache inputs;
  private final Activator activator;

  Forwarder(
      GatewayHandler front,
      HttpClient client,
      ReplicaChooser chooser,
      RetryBudget budget,
      GatewayOptions options,
      GatewayMetrics metrics,
      Clock time,
      InputsCache inputs,
      Activator activator) {
    this.activator = activator;
    this.front = front;
    this.client = client;
    this.chooser = chooser;
    this.budget = budget;
    this.options = options;
    this.metrics = metrics;
    this.time = time;
    this.inputs = inputs;
  }

  /** Chooses a replica for an exchange holding its bulkhead slot, and sends. */
  void dispatch(Exchange ex) {
    if (route(ex, null)) {
      budget.onRequest();
      if (ex.translation != null) {
        translateThenSend(ex);
      } else {
        send(ex);
      }
    }
  }

  /** Picks a replica; answers the exchange and returns false if there is none. */
  private boolean route(Exchange ex, Replica exclude) {
    switch (chooser.choose(ex, exclude)) {
      case CHOSEN -> {
        return true;
      }
      case NO_SUCH_VERSION -> {
        front.finish(
            ex, 404, "model '" + ex.model + "' has no version '" + ex.explicitVersion + "'", null);
        return false;
      }
      case BREAKERS_OPEN -> {
        metrics.rejected(ex.model, Rejection.NO_REPLICA);
        front.finish(
            ex,
            503,
            "every replica of model '" + ex.model + "' is failing; retry later",
            GatewayHandler.seconds(options.breaker().openFor().toNanos()));
        return false;
      }
      case FULL -> {
        front.refuseFull(ex);
        return false;
      }
      default -> {
        onNoReplica(ex);
        return false;
      }
    }
  }

  /**
   * The model has no replica that takes requests (none started, scaled to zero, all draining). This
   * is where a scale-from-zero activator holds the request and signals demand instead.
   */
  private void onNoReplica(Exchange ex) {
    byte[] known = metadataRequest(ex) ? ex.route.knownMetadata(ex.explicitVersion) : null;
    if (known != null) {
      // Metadata is what a replica said before; asking for it must not wake a model at zero.
      front.answer(ex, 200, known);
      return;
    }
    if (activator == null) {
      metrics.rejected(ex.model, Rejection.NO_REPLICA);
      front.finish(ex, 503, "model '" + ex.model + "' has no ready replica yet", "1");
      return;
    }
    long left = ex.timeoutMs - (time.monotonicNanos() - ex.startNanos) / 1_000_000;
    if (left < 1) {
      metrics.rejected(ex.model, Rejection.NO_REPLICA);
      front.finish(ex, 503, "model '" + ex.model + "' has no ready replica", "1");
      return;
    }
    // Hold for the version the request was routed to (named, or drawn from the traffic split):
    // when another version of the model has replicas, holding for "any version" would release the
    // request at once, route it to the same empty version again and hold it anew, without end.
    activator.hold(
        ex.model,
        ex.explicitVersion != null ? ex.explicitVersion : ex.version,
        left,
        () -> {
          if (!ex.finished) {
            dispatch(ex);
          }
        },
        why -> {
          metrics.rejected(ex.model, Rejection.NO_REPLICA);
          front.finish(ex, 503, why, "1");
        });
  }

  /** A forwarded GET is a model metadata request: readiness is answered from the route. */
  private static boolean metadataRequest(Exchange ex) {
    return ex.translation == null && ex.method() == io.vertx.core.http.HttpMethod.GET;
  }

  private void remember(Exchange ex, int status, Buffer body) {
    if (status == 200 && metadataRequest(ex)) {
      ex.route.rememberMetadata(ex.explicitVersion, body.getBytes());
    }
  }

  private void translateThenSend(Exchange ex) {
    Replica r = ex.replica;
    inputs
        .inputs(ex.model, ex.version, r)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                left(ex, Outcome.FAILED, ar.cause());
                front.finish(
                    ex,
                    502,
                    "cannot read the inputs of model '"
                        + ex.model
                        + "': "
                        + ar.cause().getMessage(),
                    null);
                return;
              }
              try {
                ex.body = Buffer.buffer(ex.translation.toOip(ex.body.getBytes(), ar.result()));
              } catch (InvalidInputException e) {
                left(ex, Outcome.NEUTRAL, null);
                front.finish(ex, 400, e.getMessage(), null);
                return;
              }
              ex.upstreamUri = "/v2/models/" + ex.model + "/versions/" + ex.version + "/infer";
              send(ex);
            });
  }

  private void send(Exchange ex) {
    Replica r = ex.replica;
    if (ex.req != null && ex.req.response().closed()) {
      // The client left while the request waited (for a replica to start, say): send nothing.
      clientLeft(ex);
      return;
    }
    ex.attempts++;
    RequestOptions ro =
        new RequestOptions()
            .setMethod(ex.method())
            .setHost(r.host())
            .setPort(r.port())
            .setURI(ex.upstreamUri)
            .setConnectTimeout(connectTimeoutMs(ex))
            .setIdleTimeout(ex.timeoutMs);
    client.request(ro).onComplete(ar -> connected(ex, ar));
  }

  private void connected(Exchange ex, AsyncResult<HttpClientRequest> ar) {
    if (ar.failed()) {
      // Nothing was written: the request never reached a model.
      if (isTimeout(ar.cause())) {
        // No pooled connection within the connect timeout: congestion in this gateway (or a
        // replica that accepts nothing), not evidence that the replica fails requests. A cold
        // gateway hit by a burst waits here; tripping the breaker on it refused everything
        // for the open period. So it does not count, and it is not retried.
        left(ex, Outcome.NEUTRAL, null);
        metrics.rejected(ex.model, Rejection.OVERLOADED);
        front.finish(
            ex,
            503,
            "no connection to a replica of model '"
                + ex.model
                + "' within "
                + connectTimeoutMs(ex)
                + " ms",
            "1");
        return;
      }
      left(ex, Outcome.FAILED, ar.cause());
      retryOrFail(ex, ar.cause());
      return;
    }
    HttpClientRequest creq = ar.result();
    ex.upstream = creq;
    if (ex.req != null) {
      HttpServerResponse resp = ex.req.response();
      resp.closeHandler(
          v -> {
            if (!ex.finished && !resp.ended()) {
              // Closing the replica's connection is how it learns to cancel the sequence and
              // free its KV blocks; a pooled connection cannot be taken back otherwise.
              ex.clientGone = true;
              ex.upstream.reset();
            }
          });
      if (resp.closed()) {
        creq.reset();
        clientLeft(ex);
        return;
      }
    }
    if (options.replicaToken() != null) {
      creq.putHeader(ReplicaToken.HEADER, options.replicaToken().secret());
    }
    String contentType =
        ex.translation != null ? "application/json" : ex.header(HttpHeaders.CONTENT_TYPE);
    if (contentType != null) {
      creq.putHeader(HttpHeaders.CONTENT_TYPE, contentType);
    }
    if (ex.translation == null) {
      String binary = ex.header(BINARY_HEADER);
      if (binary != null) {
        creq.putHeader(BINARY_HEADER, binary);
      }
    }
    ex.sentNanos = time.monotonicNanos();
    // The replica learns what is left of the deadline, so it drops a request from its queue once
    // this gateway has answered 504 for it rather than spend a batch slot on it.
    long leftMs = ex.timeoutMs - (ex.sentNanos - ex.startNanos) / 1_000_000;
    if (!ex.stream || ex.deadlineAsked) {
      // A stream with the model's default deadline has none in total: the idle timeout bounds its
      // silences, and a client that leaves cancels it.
      creq.putHeader(REPLICA_DEADLINE_HEADER, Math.max(1, leftMs) + "ms");
    }
    if (ex.body != null) {
      creq.send(ex.body).onComplete(r -> answered(ex, r));
    } else {
      String length = ex.req.getHeader(HttpHeaders.CONTENT_LENGTH);
      if (length != null) {
        creq.putHeader(HttpHeaders.CONTENT_LENGTH, length);
      }
      creq.send(ex.req).onComplete(r -> answered(ex, r));
    }
  }

  private void answered(Exchange ex, AsyncResult<HttpClientResponse> ar) {
    if (ex.clientGone) {
      if (ar.succeeded()) {
        ar.result().end();
      }
      clientLeft(ex);
      return;
    }
    if (ar.failed()) {
      Throwable cause = ar.cause();
      left(ex, isTimeout(cause) ? Outcome.MISSED_DEADLINE : Outcome.FAILED, cause);
      if (!isTimeout(cause)
          && options.retry().retryOnReset()
          && ex.body != null
          && ex.attempts < options.retry().maxAttempts()) {
        // The replica closed the connection without a byte of answer: it died (or was killed)
        // holding the request, or closed a pooled connection as the request went out.
        if (budget.tryRetry()) {
          metrics.retried(ex.model, true);
          log.info(
              "model={} replica={} closed without answering ({}), retrying on another",
              ex.model,
              lastReplica(ex),
              cause.toString());
          if (route(ex, lastReplica(ex))) {
            send(ex);
          }
          return;
        }
        metrics.retried(ex.model, false);
      }
      if (isTimeout(cause)) {
        log.warn("model={} version={} timed out after {} ms", ex.model, ex.version, ex.timeoutMs);
        front.finish(
            ex,
            504,
            "model '" + ex.model + "' did not answer within " + ex.timeoutMs + " ms",
            null);
      } else {
        log.warn(
            "model={} version={} replica failed after the request was sent: {}",
            ex.model,
            ex.version,
            cause.toString());
        front.finish(
            ex, 502, "the replica of model '" + ex.model + "' failed: " + cause.getMessage(), null);
      }
      return;
    }
    HttpClientResponse cresp = ar.result();
    int status = cresp.statusCode();
    if (status == 503 && ex.body != null && ex.attempts < options.retry().maxAttempts()) {
      Replica refused = ex.replica;
      cresp.end(); // drain so the connection goes back to the pool
      left(ex, Outcome.NEUTRAL, null);
      // Only another replica can help: with none, the replica's 503 stands (holding the request
      // for a replica to appear would turn shedding into queueing).
      if (budget.tryRetry()) {
        if (chooser.choose(ex, refused) == ReplicaChooser.Outcome.CHOSEN) {
          metrics.retried(ex.model, true);
          send(ex);
          return;
        }
        budget.refund();
      } else {
        metrics.retried(ex.model, false);
      }
      front.finish(ex, 503, "model '" + ex.model + "' is overloaded", "1");
      return;
    }
    relay(ex, cresp, status);
  }

  private void relay(Exchange ex, HttpClientResponse cresp, int status) {
    Outcome outcome =
        status == 500 || status == 502
            ? Outcome.FAILED
            : status == 504
                ? Outcome.MISSED_DEADLINE
                : status == 503 ? Outcome.NEUTRAL : Outcome.SUCCEEDED;
    if (ex.remote != null) {
      cresp
          .body()
          .onComplete(
              b -> {
                left(ex, b.succeeded() ? outcome : Outcome.FAILED, b.cause());
                if (b.failed()) {
                  front.finish(ex, 502, "reply of model '" + ex.model + "' broke off", null);
                  return;
                }
                remember(ex, status, b.result());
                ex.remote.answered(status, cresp.headers(), b.result());
                front.completed(ex, status);
              });
      return;
    }
    HttpServerResponse resp = ex.req.response();
    if (ex.translation != null && status == 200) {
      cresp
          .body()
          .onComplete(
              b -> {
                left(ex, b.succeeded() ? outcome : Outcome.FAILED, b.cause());
                if (b.failed()) {
                  front.finish(ex, 502, "reply of model '" + ex.model + "' broke off", null);
                  return;
                }
                byte[] out;
                try {
                  out = ex.translation.fromOip(b.result().getBytes());
                } catch (RuntimeException e) {
                  front.finish(
                      ex,
                      502,
                      "reply of model '" + ex.model + "' is malformed: " + e.getMessage(),
                      null);
                  return;
                }
                resp.setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
                resp.end(Buffer.buffer(out));
                front.completed(ex, 200);
              });
      return;
    }
    resp.setStatusCode(status);
    copy(cresp, resp, HttpHeaders.CONTENT_TYPE);
    copy(cresp, resp, BINARY_HEADER);
    copy(cresp, resp, "Retry-After");
    String length = cresp.getHeader(HttpHeaders.CONTENT_LENGTH);
    long declared = length == null ? -1 : parse(length);
    if (isEventStream(cresp)) {
      relayStream(ex, cresp, resp, status, outcome);
    } else if (declared >= 0 && declared <= BUFFERED_RESPONSE_LIMIT) {
      cresp
          .body()
          .onComplete(
              b -> {
                left(ex, b.succeeded() ? outcome : Outcome.FAILED, b.cause());
                if (b.failed()) {
                  resp.reset();
                } else {
                  remember(ex, status, b.result());
                  resp.end(b.result());
                }
                front.completed(ex, status);
              });
    } else {
      if (declared >= 0) {
        resp.putHeader(HttpHeaders.CONTENT_LENGTH, length);
      } else {
        resp.setChunked(true);
      }
      cresp
          .pipeTo(resp)
          .onComplete(
              p -> {
                left(ex, p.succeeded() ? outcome : Outcome.FAILED, p.cause());
                front.completed(ex, status);
              });
    }
  }

  /**
   * Server-sent events: each chunk is written as it arrives (the pipe pauses the replica's
   * connection while the client's is full), and headers go at once, so a proxy in between does not
   * hold them either. A stream broken off by the replica resets the client's connection rather than
   * end it cleanly: an ended stream would look complete.
   */
  private void relayStream(
      Exchange ex, HttpClientResponse cresp, HttpServerResponse resp, int status, Outcome outcome) {
    resp.setChunked(true);
    copy(cresp, resp, HttpHeaders.CACHE_CONTROL);
    resp.putHeader("X-Accel-Buffering", "no");
    cresp
        .pipe()
        .endOnFailure(false)
        .to(resp)
        .onComplete(
            p -> {
              if (ex.clientGone) {
                clientLeft(ex);
                return;
              }
              left(ex, p.succeeded() ? outcome : Outcome.FAILED, p.cause());
              if (p.failed()) {
                log.warn(
                    "model={} version={} stream broke off: {}",
                    ex.model,
                    ex.version,
                    p.cause().toString());
                if (!resp.ended()) {
                  resp.reset();
                }
              }
              front.completed(ex, status);
            });
  }

  /**
   * The client closed its connection before its answer was complete: nothing more is sent or
   * retried, and the replica is not blamed. Counted as 499 (client closed request).
   */
  private void clientLeft(Exchange ex) {
    left(ex, Outcome.NEUTRAL, null);
    front.completed(ex, 499);
  }

  private static boolean isEventStream(HttpClientResponse cresp) {
    String type = cresp.getHeader(HttpHeaders.CONTENT_TYPE);
    return type != null && GatewayHandler.lower(type).startsWith("text/event-stream");
  }

  private void retryOrFail(Exchange ex, Throwable cause) {
    Replica failed = lastReplica(ex);
    if (ex.attempts < options.retry().maxAttempts()) {
      if (budget.tryRetry()) {
        metrics.retried(ex.model, true);
        log.info(
            "model={} replica={} unreachable ({}), retrying on another",
            ex.model,
            failed,
            cause.toString());
        if (route(ex, failed)) {
          send(ex);
        }
        return;
      }
      metrics.retried(ex.model, false);
    }
    log.warn("model={} replica={} unreachable: {}", ex.model, failed, cause.toString());
    front.finish(
        ex,
        503,
        "no replica of model '" + ex.model + "' could be reached: " + cause.getMessage(),
        "1");
  }

  private enum Outcome {
    SUCCEEDED,
    FAILED,
    NEUTRAL,
    /**
     * The deadline passed first (a timeout here, or the replica's 504): a failure for the breaker
     * only when the replica has answered nothing since the request was sent (it hangs). One that
     * keeps answering is overloaded; opening its breaker would refuse the work it can still do.
     */
    MISSED_DEADLINE
  }

  /**
   * The exchange is done with its current replica: gives back its in-flight slot and tells the
   * breaker how it went. Keeps the replica as the one to avoid on a retry.
   */
  private void left(Exchange ex, Outcome outcome, Throwable cause) {
    Replica r = ex.replica;
    if (r == null) {
      return;
    }
    ex.replica = null;
    ex.lastReplica = r;
    r.release();
    if (ex.clientGone) {
      outcome = Outcome.NEUTRAL; // a client that leaves says nothing of the replica
    }
    ReplicaBreaker b = chooser.breakerOf(r);
    long now = time.monotonicNanos();
    long took = now - ex.sentNanos;
    switch (outcome) {
      case SUCCEEDED -> {
        r.answered(now);
        b.onSuccess(took);
      }
      case FAILED -> b.onFailure(took, cause == null ? new IllegalStateException("failed") : cause);
      case NEUTRAL -> b.release();
      case MISSED_DEADLINE -> {
        if (r.answeredSince(ex.sentNanos)) {
          b.release();
        } else {
          b.onFailure(took, cause == null ? new IllegalStateException("deadline") : cause);
        }
      }
    }
  }

  private static Replica lastReplica(Exchange ex) {
    return ex.lastReplica;
  }

  private static long connectTimeoutMs(Exchange ex) {
    return Math.min(ex.timeoutMs, 5_000);
  }

  private static boolean isTimeout(Throwable t) {
    return t instanceof TimeoutException || t.getClass().getSimpleName().contains("Timeout");
  }

  private static void copy(HttpClientResponse from, HttpServerResponse to, CharSequence name) {
    String v = from.getHeader(name);
    if (v != null) {
      to.putHeader(name, v);
    }
  }

  private static long parse(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
