package dev.kairos.gateway.pipeline;

import dev.kairos.gateway.metrics.GatewayMetrics;
import dev.kairos.gateway.metrics.GatewayMetrics.Rejection;
import dev.kairos.gateway.protocol.Translation;
import dev.kairos.gateway.route.ModelLimits;
import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.Replica;
import dev.kairos.sdk.time.Clock;
import io.vertx.core.buffer.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model request on its way through the {@link Pipeline}: what was asked, and what each stage
 * has found out so far. The call owns its own state: a stage sets the fields of its job, moves the
 * call on with {@link #enter}, and ends it only through {@link #refuse}, {@link #answered} or
 * {@link #completed}, which free what the call holds (its bulkhead slot) and count it once.
 *
 * <p>Its walk is logged at TRACE on the {@code dev.kairos.gateway.pipeline.Walk} logger, one line
 * per stage entered: {@code RECEIVED ADMIT ROUTE FORWARD RELAY DONE} for a request answered by its
 * first replica. A retry is a new attempt and shows as {@code ROUTE FORWARD} again.
 */
final class Call {
  private static final Logger walk =
      LoggerFactory.getLogger(Pipeline.class.getPackageName() + ".Walk");

  /** Where a call is: each stage moves it on; only a retry goes back, to {@link #ROUTE}. */
  enum Stage {
    RECEIVED,
    ADMIT,
    ROUTE,
    FORWARD,
    RELAY,
    DONE
  }

  /** Where the answer goes, and what the protocol's request says (see {@link Caller}). */
  final Caller caller;

  final long startNanos;
  final String model;
  final String explicitVersion;

  /** The protocol's translation to and from OIP (KServe v1, DJL), or null: sent unparsed. */
  final Translation translation;

  /**
   * The answer is a stream of events (generate_stream, or an OpenAI body with {@code "stream":
   * true}): relayed event by event, and bounded by the deadline while silent rather than in total.
   */
  final boolean stream;

  /** Checks by the protocol's adapter already made: authentication and rate limit. */
  final boolean authorized;

  String upstreamUri;

  /** The body to send, or null while it is still at the client (streamed to the replica). */
  Buffer body;

  // Admit's findings
  ModelRoute route;
  ModelLimits limits;
  long timeoutMs;

  /** The client named its deadline rather than take the model's. */
  boolean deadlineAsked;

  boolean gateHeld;

  // Route's findings
  /** The version chosen (or asked for); retries stay on it. */
  String version;

  /** The replica the request is at now, holding one of its in-flight slots; null between sends. */
  Replica replica;

  /** The replica of the previous attempt, avoided by a retry. */
  Replica lastReplica;

  // Forward's state
  int attempts;
  long sentNanos;

  /** The request to the replica, once there is one: reset when the client goes away. */
  ReplicaRequest upstream;

  /** The client closed its connection before the answer was complete. */
  boolean clientGone;

  private final GatewayMetrics metrics;
  private final Clock time;
  private Stage stage = Stage.RECEIVED;

  Call(
      Caller caller,
      String model,
      String explicitVersion,
      Translation translation,
      boolean stream,
      boolean authorized,
      GatewayMetrics metrics,
      Clock time,
      long startNanos) {
    this.caller = caller;
    this.model = model;
    this.explicitVersion = explicitVersion;
    this.translation = translation;
    this.stream = stream;
    this.authorized = authorized;
    this.metrics = metrics;
    this.time = time;
    this.startNanos = startNanos;
    if (walk.isTraceEnabled()) {
      walk.trace("{} model={} {}", id(), model, Stage.RECEIVED);
    }
  }

  /**
   * Moves the call into {@code next}, which must lie ahead of where it is ({@link Stage#ROUTE}
   * again for a retry, or while a replica is awaited).
   */
  void enter(Stage next) {
    if (next.ordinal() <= stage.ordinal() && next != Stage.ROUTE) {
      throw new IllegalStateException(
          "call for model '" + model + "' at " + stage + " cannot go back to " + next);
    }
    stage = next;
    if (walk.isTraceEnabled()) {
      walk.trace("{} model={} {}", id(), model, next);
    }
  }

  Stage stage() {
    return stage;
  }

  boolean ended() {
    return stage == Stage.DONE;
  }

  /** Milliseconds left of the deadline. */
  long leftMs() {
    return timeoutMs - (time.monotonicNanos() - startNanos) / 1_000_000;
  }

  /** Ends the call with an error the gateway answers itself (with Retry-After when given). */
  void refuse(int status, String message, String retryAfter) {
    if (ended()) {
      return;
    }
    caller.refuse(status, message, retryAfter);
    completed(status);
  }

  /** Every replica that could take the inference holds all it admits: refused at once. */
  void refuseFull() {
    metrics.rejected(model, Rejection.OVERLOADED);
    refuse(
        503,
        "model '" + model + "' is overloaded: every replica holds all the requests it admits",
        "1");
  }

  /** Ends the call with a JSON answer the gateway has itself. */
  void answered(int status, byte[] json) {
    if (ended()) {
      return;
    }
    caller.answered(status, Caller.JSON, Buffer.buffer(json));
    completed(status);
  }

  /**
   * Accounting at the end of every call, however it ended: frees its bulkhead slot and counts it.
   * Calls refused before their model was found are not counted by model.
   */
  void completed(int status) {
    if (ended()) {
      return;
    }
    enter(Stage.DONE);
    if (gateHeld) {
      gateHeld = false;
      route.gate().leave(limits.maxInFlight());
    }
    if (route != null) {
      metrics.answered(model, version, status, time.monotonicNanos() - startNanos);
    }
  }

  private String id() {
    return Integer.toHexString(System.identityHashCode(this));
  }
}
