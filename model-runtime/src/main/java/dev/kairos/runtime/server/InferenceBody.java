package dev.kairos.runtime.server;

import dev.kairos.runtime.buffer.DirectBufferPool;
import dev.kairos.runtime.buffer.PooledBuffer;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InvalidInputException;
import dev.kairos.sdk.oip.OipJsonDecoder;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * An inference request's body as it arrived. A body of the binary tensor extension whose length is
 * declared goes straight into a pooled direct buffer: its tensors are decoded as views of that
 * buffer, and ONNX Runtime reads them in place. {@link BinaryIntake} copies such a body there from
 * Netty's buffers when it offers one; otherwise it is copied from Vert.x's chunks. Other bodies
 * (JSON, chunked) are collected on the heap. {@link #release} gives the direct buffer back; it must
 * run once nothing reads the request's tensors any more, that is when the request's answer has been
 * encoded.
 */
abstract sealed class InferenceBody {
  /** Body length. */
  abstract long length();

  /**
   * The bytes {@link #decode} reads: all of a heap body, only the JSON part of a direct one, whose
   * binary section the tensors wrap as it is.
   */
  abstract long decodedBytes();

  /**
   * @throws InvalidInputException when the body is not a valid request
   */
  abstract InferenceRequest decode(OipJsonDecoder decoder);

  /** Frees what the body holds; later calls do nothing. */
  void release() {}

  /**
   * Reads the body, failing with {@link PayloadTooLargeException} as soon as it passes {@code
   * maxBytes}.
   *
   * @param jsonLength the length of the JSON part of the binary tensor extension, or -1 when the
   *     body is JSON only
   */
  static Future<InferenceBody> read(
      HttpServerRequest req, long maxBytes, int jsonLength, DirectBufferPool pool) {
    long length;
    try {
      length = declaredLength(req, maxBytes);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    if (jsonLength >= 0 && length > jsonLength && length <= Integer.MAX_VALUE) {
      BodyCapture offered = BinaryIntake.offered(req);
      if (offered != null && offered.length() == length) {
        return readDirect(offered, jsonLength, pool);
      }
      // Not read below Vert.x (pipelined behind another request, say): the same capture, fed
      // Vert.x's chunks.
      BodyCapture capture = BodyCapture.ofChunks((int) length, jsonLength);
      Future<InferenceBody> body = readDirect(capture, jsonLength, pool);
      if (capture.accepted()) {
        req.handler(
            chunk -> {
              capture.append(((BufferInternal) chunk).getByteBuf());
              if (body.isComplete()) {
                req.pause(); // failed before its end: read no more of it
              }
            });
        req.endHandler(v -> capture.end());
        req.exceptionHandler(capture::fail);
      }
      return body;
    }
    return collect(req, maxBytes, length).map(body -> new Heap(body, jsonLength));
  }

  /**
   * Collects a body on the heap, failing with {@link PayloadTooLargeException} as soon as it passes
   * {@code maxBytes}.
   */
  static Future<Buffer> readHeap(HttpServerRequest req, long maxBytes) {
    try {
      return collect(req, maxBytes, declaredLength(req, maxBytes));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** The Content-Length, or -1 when the body is chunked. */
  private static long declaredLength(HttpServerRequest req, long maxBytes) {
    String declared = req.getHeader("Content-Length");
    if (declared == null) {
      return -1;
    }
    long length;
    try {
      length = Long.parseLong(declared.trim());
    } catch (NumberFormatException e) {
      throw new InvalidInputException("Content-Length is not a number");
    }
    if (length > maxBytes) {
      throw tooLarge(maxBytes);
    }
    return length;
  }

  private static Future<Buffer> collect(HttpServerRequest req, long maxBytes, long declared) {
    Promise<Buffer> promise = Promise.promise();
    Buffer body = Buffer.buffer(declared < 0 ? 4096 : (int) declared);
    req.handler(
        chunk -> {
          if (body.length() + chunk.length() > maxBytes) {
            promise.tryFail(tooLarge(maxBytes));
            req.pause();
          } else {
            body.appendBuffer(chunk);
          }
        });
    req.endHandler(v -> promise.tryComplete(body));
    req.exceptionHandler(promise::tryFail);
    return promise.future();
  }

  /**
   * Takes the body {@code capture} receives into a pooled buffer taken for it; when no buffer can
   * be had, the capture is not accepted (an offered body goes on to Vert.x, which drops it once the
   * answer is out).
   */
  private static Future<InferenceBody> readDirect(
      BodyCapture capture, int jsonLength, DirectBufferPool pool) {
    PooledBuffer binary;
    try {
      binary = pool.take(capture.length() - jsonLength);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    Direct body = new Direct(new byte[jsonLength], binary);
    return capture
        .receiveInto(body.json, binary.buffer().duplicate())
        .<InferenceBody>map(body)
        .onFailure(err -> body.release());
  }

  private static PayloadTooLargeException tooLarge(long maxBytes) {
    return new PayloadTooLargeException("request body exceeds " + maxBytes + " bytes");
  }

  /** A body collected on the heap. */
  static final class Heap extends InferenceBody {
    private final Buffer body;
    private final int jsonLength;

    Heap(Buffer body, int jsonLength) {
      this.body = body;
      this.jsonLength = jsonLength;
    }

    @Override
    long length() {
      return body.length();
    }

    @Override
    long decodedBytes() {
      return body.length();
    }

    @Override
    InferenceRequest decode(OipJsonDecoder decoder) {
      byte[] bytes = body.getBytes();
      return decoder.decodeRequest(bytes, jsonLength < 0 ? bytes.length : jsonLength);
    }
  }

  /** The JSON part on the heap, the binary section in a pooled direct buffer. */
  static final class Direct extends InferenceBody {
    private final byte[] json;
    private final PooledBuffer binary;

    Direct(byte[] json, PooledBuffer binary) {
      this.json = json;
      this.binary = binary;
    }

    @Override
    long length() {
      return json.length + (long) binary.buffer().limit();
    }

    @Override
    long decodedBytes() {
      return json.length;
    }

    @Override
    InferenceRequest decode(OipJsonDecoder decoder) {
      return decoder.decodeRequest(json, binary.buffer().duplicate());
    }

    @Override
    void release() {
      binary.close();
    }
  }
}
