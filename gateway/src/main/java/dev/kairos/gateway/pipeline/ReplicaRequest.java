package dev.kairos.gateway.pipeline;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/** A request to a replica on a connection of its own: headers, then its body sent once. */
interface ReplicaRequest {
  /** Adds a header to the request (before it is sent). */
  ReplicaRequest putHeader(CharSequence name, CharSequence value);

  /** Sends the request with a body in hand; completes with the answer's head. */
  Future<ReplicaAnswer> send(Buffer body);

  /** Sends the request with the body still at the caller, as it arrives. */
  Future<ReplicaAnswer> sendStreamed(Caller from);

  /**
   * Abandons the request: its connection is closed, which is how a replica learns to cancel the
   * work (a pooled HTTP/1.1 connection cannot be taken back otherwise). An answer being read fails.
   */
  void reset();
}
