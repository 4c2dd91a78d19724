package dev.kairos.gateway.impl;

import dev.kairos.gateway.protocol.Translation;
import dev.kairos.gateway.route.ModelLimits;
import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.Replica;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/** One model request on its way through the gateway: what was asked, where it went, how often. */
final class Exchange {
  final HttpServerRequest req;
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
    this.startNanos = startNanos;
    this.model = model;
    this.explicitVersion = explicitVersion;
    this.translation = translation;
  }
}
