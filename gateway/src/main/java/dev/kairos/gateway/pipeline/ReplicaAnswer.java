package dev.kairos.gateway.pipeline;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/** A replica's answer: its head at once, its body as a stream of chunks as they arrive. */
interface ReplicaAnswer extends ReadStream<Buffer> {
  int statusCode();

  /** A header of the answer, or null. */
  String getHeader(CharSequence name);

  /** All the answer's headers. */
  MultiMap headers();

  /** Reads the rest of the body and drops it, so the connection can carry another request. */
  void discard();
}
