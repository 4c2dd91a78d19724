package dev.kairos.gateway.impl;

import dev.kairos.gateway.protocol.Translation;
import dev.kairos.gateway.route.ModelLimits;
import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.Replica;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/** One model request on its way through the gateway: what was asked, where it went, how often. */
final class Exchange {
  /** The client's HTTP request; null for a call that came in over gRPC (see {@link #remote}). */
  final HttpServerRequest req;

  /** Where the answer of a non-HTTP call goes; null for HTTP requests. */
  final RemoteCall remote;

  final long startNanos;
  final String model;
  final String explicitVersion;
  final Translation translation;

  ModelRoute route;
  ModelLimits limits;

  /** The version chosen (or asked for); retries stay on it. */
  String version;

  /** The replica the request is at now, holding one of its in-flight slots; null between sends. */
  Replica replica;

  /** The replica of the previous send, avoided by a retry. */
  Replica lastReplica;

  String upstreamUri;

  /** The body to send, or null when the request body is streamed from the client. */
  Buffer body;

  long timeoutMs;

  /** The client named its deadline ({@code Kairos-Timeout-Ms}) rather than take the model's. */
  boolean deadlineAsked;

  /**
   * The answer is a stream of events (generate_stream, or an OpenAI body with {@code "stream":
   * true}): relayed event by event, and bounded by the deadline while silent rather than in total.
   */
  boolean stream;

  /** The request to the replica, once there is one: reset when the client goes away. */
  io.vertx.core.http.HttpClientRequest upstream;

  /** The client closed its connection before the answer was complete. */
  boolean clientGone;

  int attempts;
  long sentNanos;
  boolean gateHeld;
  boolean finished;

  Exchange(
      HttpServerRequest req,
      long startNanos,
      String model,
      String explicitVersion,
      Translation translation) {
    this.req = req;
    this.remote = null;
    this.startNanos = startNanos;
    this.model = model;
    this.explicitVersion = explicitVersion;
    this.translation = translation;
  }

  /** A call that is not an HTTP request: its method, headers and body are given. */
  Exchange(RemoteCall remote, long startNanos, String model, String explicitVersion) {
    this.req = null;
    this.remote = remote;
    this.startNanos = startNanos;
    this.model = model;
    this.explicitVersion = explicitVersion;
    this.translation = null;
  }

  HttpMethod method() {
    return req != null ? req.method() : remote.method();
  }

  /** A header of the request to pass on to the replica. */
  String header(CharSequence name) {
    return req != null ? req.getHeader(name) : remote.headers().get(name);
  }

  /**
   * A call that did not come in as an HTTP request (gRPC): what to send the replica, and where the
   * answer goes.
   */
  interface RemoteCall {
    HttpMethod method();

    /** Headers for the replica (Content-Type, the binary extension's header length). */
    MultiMap headers();

    /** The gateway answers the call itself, with the status and message REST would send. */
    void refuse(int status, String message, String retryAfter);

    /** The replica answered, with this status, headers and whole body. */
    void answered(int status, MultiMap headers, Buffer body);
  }
}
