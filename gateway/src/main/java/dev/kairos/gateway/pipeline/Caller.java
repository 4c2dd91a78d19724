package dev.kairos.gateway.pipeline;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import java.util.function.Consumer;

/**
 * The protocol's side of a {@link Call}: what its request says, and where its answer goes. REST
 * (and the APIs on its port) answer through {@link HttpCaller}, gRPC through {@link GrpcCaller};
 * the stages never ask which.
 */
interface Caller {
  MultiMap JSON = MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json");

  /** The method to send the replica. */
  HttpMethod method();

  /** A header of the request to pass on to the replica (Content-Type, binary header length). */
  String header(CharSequence name);

  /** The API key the call carries, or null. */
  String secret();

  /** The deadline the caller asked for in milliseconds, as given (unchecked), or null. */
  String askedDeadline();

  /** The body's size as the request declares it, or -1 when it does not say. */
  long declaredLength();

  /** The caller has gone away: nothing more will reach it. */
  boolean gone();

  /** Runs {@code then} (once) when the caller goes away before its answer is complete. */
  void onGone(Runnable then);

  /**
   * Reads the body still at the client, up to {@code limit} bytes; past it {@code overLimit} runs
   * instead. Only asked of a call whose body is not in hand.
   */
  void readBody(long limit, Consumer<Buffer> then, Runnable overLimit);

  /** Holds the body at the client until it is sent on (a body too large to read first). */
  void pauseBody();

  /** Sends the body still at the client to the replica, as it arrives. */
  Future<HttpClientResponse> streamBody(HttpClientRequest to);

  /** The gateway's own error answer, with the status and message REST would send. */
  void refuse(int status, String message, String retryAfter);

  /** A whole answer: the replica's, or the gateway's own. */
  void answered(int status, MultiMap headers, Buffer body);

  /**
   * The response the replica's answer can be relayed into as it arrives (streamed), or null when
   * the caller takes only whole answers (its protocol must convert them).
   */
  HttpServerResponse passThrough();

  /**
   * The event that ends a stream the replica broke off, in the caller's API's format: the client
   * must learn that its stream is incomplete rather than see it end as if it were whole.
   */
  Buffer streamError(String message);
}
