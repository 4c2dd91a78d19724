package dev.kairos.gateway.pipeline;

import dev.kairos.gateway.GatewayOptions;
import dev.kairos.gateway.metrics.GatewayMetrics;
import dev.kairos.gateway.metrics.GatewayMetrics.Rejection;
import dev.kairos.gateway.pipeline.ReplicaFeedback.Outcome;
import dev.kairos.gateway.resilience.RetryBudget;
import dev.kairos.gateway.route.Replica;
import dev.kairos.sdk.oip.InvalidInputException;
import dev.kairos.sdk.replica.ReplicaToken;
import dev.kairos.sdk.time.Clock;
import io.vertx.core.AsyncResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The third stage: sends the call to its replica on a pooled keep-alive connection, with what is
 * left of its deadline, and hands the replica's answer to {@link Relay}.
 *
 * <p>Retries go to another replica when the request provably never reached a model: the connection
 * could not be had (refused, pool failure) before anything was written, or the replica answered 503
 * (draining or its queue full, so it ran nothing) and the body is still in hand. With {@link
 * dev.kairos.gateway.resilience.RetryOptions#retryOnReset()} (the default) a request whose replica
 * closed the connection before answering anything (it died holding it) is sent again too: inference
 * is a pure function of its inputs. Each retry needs a token of the {@link RetryBudget}, and is a
 * new attempt: the call goes through {@link Route} again, avoiding the replica that failed.
 * Anything else that fails after the request was written is answered (502, or 504 on timeout) and
 * never sent twice. Nothing is retried once a byte of the answer went to the client.
 *
 * <p>A client that goes away resets the request to the replica, which cancels its work (a
 * generation frees its KV blocks). A stream is bounded by its deadline while silent (until its
 * first byte and between events), not in total, unless the client named a deadline, which the
 * replica then applies to the whole generation.
 */
final class Forward {
  private static final Logger log = LoggerFactory.getLogger(Forward.class);
  static final String BINARY_HEADER = "Inference-Header-Content-Length";

  /** The same, as a header name whose hash is computed once (it is looked up per request). */
  static final CharSequence BINARY = HttpHeaders.createOptimized(BINARY_HEADER);

  /** The runtime's deadline header (microseconds, or a duration such as {@code 250ms}). */
  private static final CharSequence REPLICA_DEADLINE_HEADER =
      HttpHeaders.createOptimized("timeout");

  private final ReplicaClient client;
  private final ReplicaClient streamingClient;
  private final ReplicaChooser chooser;
  private final ReplicaFeedback feedback;
  private final RetryBudget budget;
  private final GatewayOptions options;
  private final GatewayMetrics metrics;
  private final Clock time;
  private final InputsCache inputs;
  private final Relay next;
  private Route retries;

  /**
   * @param client the connections of requests whose body is in hand
   * @param streamingClient those of requests whose body is streamed from the client as it arrives
   */
  Forward(
      ReplicaClient client,
      ReplicaClient streamingClient,
      ReplicaChooser chooser,
      ReplicaFeedback feedback,
      RetryBudget budget,
      GatewayOptions options,
      GatewayMetrics metrics,
      Clock time,
      InputsCache inputs,
      Relay next) {
    this.client = client;
    this.streamingClient = streamingClient;
    this.chooser = chooser;
    this.feedback = feedback;
    this.budget = budget;
    this.options = options;
    this.metrics = metrics;
    this.time = time;
    this.inputs = inputs;
    this.next = next;
  }

  /** Where a retry is routed anew: the route stage, which comes before this one. */
  void retryThrough(Route route) {
    this.retries = route;
  }

  /** A call holding its replica: its first attempt translates its body if its protocol needs. */
  void enter(Call call) {
    call.enter(Call.Stage.FORWARD);
    if (call.attempts > 0) {
      send(call);
      return;
    }
    budget.onRequest();
    if (call.translation == null) {
      send(call);
      return;
    }
    inputs
        .inputs(call.model, call.version, call.replica)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                feedback.left(call, Outcome.FAILED, ar.cause());
                call.refuse(
                    502,
                    "cannot read the inputs of model '"
                        + call.model
                        + "': "
                        + ar.cause().getMessage(),
                    null);
                return;
              }
              try {
                call.body =
                    Buffer.buffer(call.translation.toOip(call.body.getBytes(), ar.result()));
              } catch (InvalidInputException e) {
                feedback.left(call, Outcome.NEUTRAL, null);
                call.refuse(400, e.getMessage(), null);
                return;
              }
              call.upstreamUri =
                  "/v2/models/" + call.model + "/versions/" + call.version + "/infer";
              send(call);
            });
  }

  private void send(Call call) {
    Replica r = call.replica;
    if (call.caller.gone()) {
      // The client left while the request waited (for a replica to start, say): send nothing.
      clientLeft(call);
      return;
    }
    call.attempts++;
    (call.body != null ? client : streamingClient)
        .request(call.caller.method(), r, call.upstreamUri, connectTimeoutMs(call), call.timeoutMs)
        .onComplete(ar -> connected(call, ar));
  }

  private void connected(Call call, AsyncResult<ReplicaRequest> ar) {
    if (ar.failed()) {
      // Nothing was written: the request never reached a model.
      if (isTimeout(ar.cause())) {
        // No pooled connection within the connect timeout: congestion in this gateway (or a
        // replica that accepts nothing), not evidence that the replica fails requests. A cold
        // gateway hit by a burst waits here; tripping the breaker on it refused everything
        // for the open period. So it does not count, and it is not retried.
        feedback.left(call, Outcome.NEUTRAL, null);
        metrics.rejected(call.model, Rejection.OVERLOADED);
        call.refuse(
            503,
            "no connection to a replica of model '"
                + call.model
                + "' within "
                + connectTimeoutMs(call)
                + " ms",
            "1");
        return;
      }
      feedback.left(call, Outcome.FAILED, ar.cause());
      retryOrFail(call, ar.cause());
      return;
    }
    ReplicaRequest creq = ar.result();
    call.upstream = creq;
    call.caller.onGone(
        () -> {
          if (!call.ended()) {
            // Closing the replica's connection is how it learns to cancel the sequence and
            // free its KV blocks; a pooled connection cannot be taken back otherwise.
            call.clientGone = true;
            call.upstream.reset();
          }
        });
    if (call.caller.gone()) {
      creq.reset();
      clientLeft(call);
      return;
    }
    if (options.replicaToken() != null) {
      creq.putHeader(ReplicaToken.HEADER, options.replicaToken().secret());
    }
    String contentType =
        call.translation != null
            ? "application/json"
            : call.caller.header(HttpHeaders.CONTENT_TYPE);
    if (contentType != null) {
      creq.putHeader(HttpHeaders.CONTENT_TYPE, contentType);
    }
    if (call.translation == null) {
      String binary = call.caller.header(BINARY);
      if (binary != null) {
        creq.putHeader(BINARY, binary);
      }
    }
    call.sentNanos = time.monotonicNanos();
    // The replica learns what is left of the deadline, so it drops a request from its queue once
    // this gateway has answered 504 for it rather than spend a batch slot on it.
    long leftMs = call.timeoutMs - (call.sentNanos - call.startNanos) / 1_000_000;
    if (!call.stream || call.deadlineAsked) {
      // A stream with the model's default deadline has none in total: the idle timeout bounds its
      // silences, and a client that leaves cancels it.
      creq.putHeader(REPLICA_DEADLINE_HEADER, Math.max(1, leftMs) + "ms");
    }
    if (call.body != null) {
      creq.send(call.body).onComplete(a -> answered(call, a));
    } else {
      creq.sendStreamed(call.caller).onComplete(a -> answered(call, a));
    }
  }

  private void answered(Call call, AsyncResult<ReplicaAnswer> ar) {
    if (call.clientGone) {
      if (ar.succeeded()) {
        ar.result().discard();
      }
      clientLeft(call);
      return;
    }
    if (ar.failed()) {
      failedAfterSending(call, ar.cause());
      return;
    }
    ReplicaAnswer cresp = ar.result();
    if (cresp.statusCode() == 503
        && call.body != null
        && call.attempts < options.retry().maxAttempts()) {
      refusedByReplica(call, cresp);
      return;
    }
    next.enter(call, cresp);
  }

  /**
   * The connection broke or timed out before a byte of answer: retried on a reset, else 502/504.
   */
  private void failedAfterSending(Call call, Throwable cause) {
    boolean timeout = isTimeout(cause);
    feedback.left(call, timeout ? Outcome.MISSED_DEADLINE : Outcome.FAILED, cause);
    if (!timeout
        && options.retry().retryOnReset()
        && call.body != null
        && call.attempts < options.retry().maxAttempts()) {
      // The replica closed the connection without a byte of answer: it died (or was killed)
      // holding the request, or closed a pooled connection as the request went out.
      if (budget.tryRetry()) {
        metrics.retried(call.model, true);
        log.info(
            "model={} replica={} closed without answering ({}), retrying on another",
            call.model,
            call.lastReplica,
            cause.toString());
        retries.enter(call, call.lastReplica);
        return;
      }
      metrics.retried(call.model, false);
    }
    if (timeout) {
      log.warn(
          "model={} version={} timed out after {} ms", call.model, call.version, call.timeoutMs);
      call.refuse(
          504, "model '" + call.model + "' did not answer within " + call.timeoutMs + " ms", null);
    } else {
      log.warn(
          "model={} version={} replica failed after the request was sent: {}",
          call.model,
          call.version,
          cause.toString());
      call.refuse(
          502, "the replica of model '" + call.model + "' failed: " + cause.getMessage(), null);
    }
  }

  /**
   * The replica answered 503 (draining, or its queue full): it ran nothing, so another replica may
   * take the request. Only another replica can help: with none, the replica's 503 stands (holding
   * the request for a replica to appear would turn shedding into queueing).
   */
  private void refusedByReplica(Call call, ReplicaAnswer cresp) {
    Replica refused = call.replica;
    cresp.discard(); // drain so the connection goes back to the pool
    feedback.left(call, Outcome.NEUTRAL, null);
    if (budget.tryRetry()) {
      if (chooser.choose(call, refused) == ReplicaChooser.Outcome.CHOSEN) {
        metrics.retried(call.model, true);
        send(call);
        return;
      }
      budget.refund();
    } else {
      metrics.retried(call.model, false);
    }
    call.refuse(503, "model '" + call.model + "' is overloaded", "1");
  }

  private void retryOrFail(Call call, Throwable cause) {
    Replica failed = call.lastReplica;
    if (call.attempts < options.retry().maxAttempts()) {
      if (budget.tryRetry()) {
        metrics.retried(call.model, true);
        log.info(
            "model={} replica={} unreachable ({}), retrying on another",
            call.model,
            failed,
            cause.toString());
        retries.enter(call, failed);
        return;
      }
      metrics.retried(call.model, false);
    }
    log.warn("model={} replica={} unreachable: {}", call.model, failed, cause.toString());
    call.refuse(
        503,
        "no replica of model '" + call.model + "' could be reached: " + cause.getMessage(),
        "1");
  }

  /**
   * The client closed its connection before its answer was complete: nothing more is sent or
   * retried, and the replica is not blamed. Counted as 499 (client closed request).
   */
  private void clientLeft(Call call) {
    feedback.left(call, Outcome.NEUTRAL, null);
    call.completed(499);
  }

  private static long connectTimeoutMs(Call call) {
    return Math.min(call.timeoutMs, 5_000);
  }

  static boolean isTimeout(Throwable t) {
    return t instanceof TimeoutException || t.getClass().getSimpleName().contains("Timeout");
  }
}
