package dev.kairos.gateway.pipeline;

import dev.kairos.sdk.grpc.GrpcStatuses;
import dev.kairos.sdk.oip.OipJsonDecoder;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServerResponse;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A call that came in over gRPC, transcoded by {@link GrpcFront} into a REST request with its body
 * in hand: the replica's whole answer is converted back into the call's response message, errors
 * into the gRPC code of their REST status with the same message.
 */
final class GrpcCaller<T> implements Caller {
  private static final Logger log = LoggerFactory.getLogger(GrpcCaller.class);
  private static final OipJsonDecoder DECODER = new OipJsonDecoder();

  /** Converts a replica's successful REST answer into the call's response message. */
  interface Conversion<T> {
    T convert(Buffer body, MultiMap headers) throws Exception;
  }

  private final GrpcServerResponse<?, T> resp;
  private final HttpMethod method;
  private final MultiMap headers;
  private final MultiMap metadata;
  private final long timeoutMs;
  private final Conversion<T> conversion;

  /**
   * @param headers the REST headers for the replica
   * @param metadata the call's gRPC metadata (its API key)
   * @param timeoutMs the call's own deadline, or 0 for the model's
   */
  GrpcCaller(
      GrpcServerResponse<?, T> resp,
      HttpMethod method,
      MultiMap headers,
      MultiMap metadata,
      long timeoutMs,
      Conversion<T> conversion) {
    this.resp = resp;
    this.method = method;
    this.headers = headers;
    this.metadata = metadata;
    this.timeoutMs = timeoutMs;
    this.conversion = conversion;
  }

  @Override
  public HttpMethod method() {
    return method;
  }

  @Override
  public String header(CharSequence name) {
    return headers.get(name);
  }

  @Override
  public String secret() {
    return secret(metadata);
  }

  /** The API key in a call's metadata: {@code authorization: Bearer <key>} or {@code x-api-key}. */
  static String secret(MultiMap metadata) {
    String auth = metadata.get("authorization");
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return auth.substring(7).trim();
    }
    String key = metadata.get("x-api-key");
    return key == null ? null : key.trim();
  }

  @Override
  public String askedDeadline() {
    return timeoutMs > 0 ? Long.toString(timeoutMs) : null;
  }

  @Override
  public long declaredLength() {
    return -1;
  }

  @Override
  public boolean gone() {
    return false;
  }

  @Override
  public void onGone(Runnable then) {}

  @Override
  public void readBody(long limit, Consumer<Buffer> then, Runnable overLimit) {
    throw new IllegalStateException("a gRPC call's body is in hand");
  }

  @Override
  public void pauseBody() {
    throw new IllegalStateException("a gRPC call's body is in hand");
  }

  @Override
  public Future<HttpClientResponse> streamBody(HttpClientRequest to) {
    throw new IllegalStateException("a gRPC call's body is in hand");
  }

  @Override
  public void refuse(int status, String message, String retryAfter) {
    fail(resp, status, message, retryAfter);
  }

  @Override
  public void answered(int status, MultiMap replyHeaders, Buffer body) {
    if (status != 200) {
      refuse(status, DECODER.decodeError(body.getBytes()), replyHeaders.get("Retry-After"));
      return;
    }
    T out;
    try {
      out = conversion.convert(body, replyHeaders);
    } catch (Exception e) {
      log.warn("grpc reply could not be converted: {}", e.toString());
      fail(resp, 502, "the replica's answer is malformed: " + e.getMessage(), null);
      return;
    }
    resp.end(out);
  }

  @Override
  public HttpServerResponse passThrough() {
    return null;
  }

  @Override
  public Buffer streamError(String message) {
    throw new IllegalStateException("gRPC calls take whole answers");
  }

  /** Ends a call with the gRPC code of an HTTP status, its message and any retry hint. */
  static void fail(GrpcServerResponse<?, ?> resp, int status, String message, String retryAfter) {
    GrpcStatus code = GrpcStatuses.fromHttp(status);
    if (retryAfter != null) {
      resp.trailers().set(GrpcStatuses.RETRY_AFTER, retryAfter);
      try {
        resp.trailers()
            .set(
                GrpcStatuses.STATUS_DETAILS,
                GrpcStatuses.retryDetails(code, message, Long.parseLong(retryAfter.trim())));
      } catch (NumberFormatException e) {
        // an HTTP-date Retry-After has no RetryInfo form; the plain trailer still says it
      }
    }
    resp.status(code).statusMessage(message).end();
  }
}
