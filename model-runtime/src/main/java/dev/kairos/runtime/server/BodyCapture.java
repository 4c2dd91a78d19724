package dev.kairos.runtime.server;

import dev.kairos.sdk.oip.InvalidInputException;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.ByteBuffer;

/**
 * The body of one binary-extension inference request, as {@link BinaryIntake} reads it from the
 * socket: the JSON part into a byte array, the binary section into a (pooled, direct) buffer, each
 * straight from Netty's buffers. Its reader {@link #receiveInto accepts} it while Vert.x dispatches
 * the request; a body nobody accepted goes on to Vert.x as usual. A body that was not offered
 * (pipelined behind another request) is read the same way from Vert.x's chunks ({@link #ofChunks}).
 *
 * <p>Used on the connection's event loop only.
 */
final class BodyCapture {
  final long sequence;
  private final int length;
  private final int jsonLength;
  private Promise<Void> done;
  private byte[] json;
  private ByteBuffer binary;
  private int received;

  private BodyCapture(long sequence, int length, int jsonLength) {
    this.sequence = sequence;
    this.length = length;
    this.jsonLength = jsonLength;
  }

  /**
   * The capture of {@code request}'s body, or null when {@link InferenceBody#read} would not read
   * it into a direct buffer: only a {@code POST} to an infer path with a valid {@code
   * Inference-Header-Content-Length}, a {@code Content-Length} past it and within {@code
   * maxBodyBytes}, and no chunked framing. Everything else (a body over the limit included, which
   * Vert.x's request answers 413) stays as it was.
   */
  static BodyCapture of(HttpRequest request, long sequence, long maxBodyBytes) {
    if (!request.method().equals(HttpMethod.POST)
        || !request.decoderResult().isSuccess()
        || HttpUtil.isTransferEncodingChunked(request)
        || !inferPath(request.uri())) {
      return null;
    }
    long jsonLength = number(request.headers().get(RuntimeServer.HEADER_LENGTH));
    long length = number(request.headers().get(HttpHeaderNames.CONTENT_LENGTH));
    if (jsonLength < 0
        || jsonLength > Integer.MAX_VALUE
        || length <= jsonLength
        || length > Math.min(maxBodyBytes, Integer.MAX_VALUE)) {
      return null;
    }
    return new BodyCapture(sequence, (int) length, (int) jsonLength);
  }

  /** A capture that {@link InferenceBody} feeds with Vert.x's chunks of a body not offered. */
  static BodyCapture ofChunks(int length, int jsonLength) {
    return new BodyCapture(-1, length, jsonLength);
  }

  private static boolean inferPath(String uri) {
    int query = uri.indexOf('?');
    return (query < 0 ? uri : uri.substring(0, query)).endsWith("/infer");
  }

  private static long number(String value) {
    if (value == null) {
      return -1;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Body length, as declared. */
  int length() {
    return length;
  }

  /**
   * Takes the body: its first {@code json.length} bytes go into {@code json}, the rest into {@code
   * binary} from its position to its limit. The future ends when the whole body is there, or fails
   * when it cannot be (connection closed, malformed); after a failure the capture writes nothing
   * more.
   */
  Future<Void> receiveInto(byte[] json, ByteBuffer binary) {
    if (done != null) {
      throw new IllegalStateException("the body of request " + sequence + " is taken already");
    }
    this.json = json;
    this.binary = binary;
    done = Promise.promise();
    return done.future();
  }

  boolean accepted() {
    return done != null;
  }

  /** Copies the next piece of the body. */
  void append(ByteBuf content) {
    int n = content.readableBytes();
    if (done.future().isComplete() || n == 0) {
      return;
    }
    if (received + (long) n > length) {
      // HTTP/1.1 framing keeps a body to its Content-Length; this is a safeguard.
      fail(new InvalidInputException("body is longer than its Content-Length"));
      return;
    }
    int from = content.readerIndex();
    if (received < jsonLength) {
      int part = Math.min(n, jsonLength - received);
      content.getBytes(from, json, received, part);
      from += part;
      received += part;
      n -= part;
    }
    if (n > 0) {
      content.getBytes(from, binary.limit(binary.position() + n));
      received += n;
    }
  }

  /** The body's last piece arrived. */
  void end() {
    if (received != length) {
      fail(
          new InvalidInputException(
              "body has " + received + " bytes, Content-Length said " + length));
    } else {
      done.tryComplete();
    }
  }

  /** The body will not arrive whole; nothing is written after this. */
  void fail(Throwable cause) {
    done.tryFail(cause);
  }

  /** Bytes of the body read so far. */
  int received() {
    return received;
  }
}
