package dev.kairos.gateway.pipeline;

import dev.kairos.gateway.pipeline.ReplicaFeedback.Outcome;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last stage: the replica's answer to the caller, whole or streamed, and the call's end.
 *
 * <ul>
 *   <li>Callers that convert the answer (gRPC, and the translated protocols' successes) get it
 *       whole.
 *   <li>Small answers are relayed in one write; larger ones are piped as they arrive.
 *   <li>Server-sent events (a text-generation model's stream) are written event by event as they
 *       arrive, with back-pressure, never buffered. A stream the replica breaks off ends with an
 *       error event in the API's format (OpenAI's {@code data: {"error": {...}}}, Triton's {@code
 *       data: {"error": "..."}}): the client learns that it is incomplete, and its connection stays
 *       usable.
 * </ul>
 */
final class Relay {
  private static final Logger log = LoggerFactory.getLogger(Relay.class);

  /** Responses up to this size are relayed in one write; larger ones are streamed. */
  private static final long BUFFERED_RESPONSE_LIMIT = 1 << 20;

  private final ReplicaFeedback feedback;

  Relay(ReplicaFeedback feedback) {
    this.feedback = feedback;
  }

  void enter(Call call, ReplicaAnswer cresp) {
    call.enter(Call.Stage.RELAY);
    int status = cresp.statusCode();
    Outcome outcome = Outcome.of(status);
    HttpServerResponse resp = call.caller.passThrough();
    if (resp == null || (call.translation != null && status == 200)) {
      whole(call, cresp, status, outcome);
      return;
    }
    if (status != resp.getStatusCode()) {
      resp.setStatusCode(status);
    }
    copy(cresp, resp, HttpHeaders.CONTENT_TYPE);
    copy(cresp, resp, Forward.BINARY);
    copy(cresp, resp, "Retry-After");
    String length = cresp.getHeader(HttpHeaders.CONTENT_LENGTH);
    long declared = length == null ? -1 : parse(length);
    if (isEventStream(cresp)) {
      events(call, cresp, resp, status, outcome);
    } else if (declared >= 0 && declared <= BUFFERED_RESPONSE_LIMIT) {
      WholeBody.of(cresp)
          .onComplete(
              b -> {
                feedback.left(call, b.succeeded() ? outcome : Outcome.FAILED, b.cause());
                if (b.failed()) {
                  resp.reset();
                } else {
                  remember(call, status, b.result());
                  resp.end(b.result());
                }
                call.completed(status);
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
                feedback.left(call, p.succeeded() ? outcome : Outcome.FAILED, p.cause());
                call.completed(status);
              });
    }
  }

  /** The answer read whole, converted by the caller's protocol (or translated back from OIP). */
  private void whole(Call call, ReplicaAnswer cresp, int status, Outcome outcome) {
    WholeBody.of(cresp)
        .onComplete(
            b -> {
              feedback.left(call, b.succeeded() ? outcome : Outcome.FAILED, b.cause());
              if (b.failed()) {
                call.refuse(502, "reply of model '" + call.model + "' broke off", null);
                return;
              }
              Buffer body = b.result();
              if (call.translation != null && status == 200) {
                byte[] out;
                try {
                  out = call.translation.fromOip(body.getBytes());
                } catch (RuntimeException e) {
                  call.refuse(
                      502,
                      "reply of model '" + call.model + "' is malformed: " + e.getMessage(),
                      null);
                  return;
                }
                call.answered(200, out);
                return;
              }
              remember(call, status, body);
              call.caller.answered(status, cresp.headers(), body);
              call.completed(status);
            });
  }

  /**
   * Server-sent events: each chunk is written as it arrives (the pipe pauses the replica's
   * connection while the client's is full), and headers go at once, so a proxy in between does not
   * hold them either.
   */
  private void events(
      Call call, ReplicaAnswer cresp, HttpServerResponse resp, int status, Outcome outcome) {
    resp.setChunked(true);
    copy(cresp, resp, HttpHeaders.CACHE_CONTROL);
    resp.putHeader("X-Accel-Buffering", "no");
    cresp
        .pipe()
        .endOnFailure(false)
        .to(resp)
        .onComplete(
            p -> {
              if (call.clientGone) {
                feedback.left(call, Outcome.NEUTRAL, null);
                call.completed(499);
                return;
              }
              feedback.left(call, p.succeeded() ? outcome : Outcome.FAILED, p.cause());
              if (p.failed()) {
                log.warn(
                    "model={} version={} stream broke off: {}",
                    call.model,
                    call.version,
                    p.cause().toString());
                if (!resp.ended() && !resp.closed()) {
                  resp.end(
                      call.caller.streamError(
                          "the replica of model '"
                              + call.model
                              + "' broke off the stream: "
                              + p.cause().getMessage()));
                }
              }
              call.completed(status);
            });
  }

  /** A model's metadata, kept so that asking for it again does not wake a model at zero. */
  private static void remember(Call call, int status, Buffer body) {
    if (status == 200 && Route.metadataRequest(call)) {
      call.route.rememberMetadata(call.explicitVersion, body.getBytes());
    }
  }

  private static boolean isEventStream(ReplicaAnswer cresp) {
    String type = cresp.getHeader(HttpHeaders.CONTENT_TYPE);
    return type != null && type.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
  }

  private static void copy(ReplicaAnswer from, HttpServerResponse to, CharSequence name) {
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
