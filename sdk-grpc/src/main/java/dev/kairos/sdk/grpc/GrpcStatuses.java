package dev.kairos.sdk.grpc;

import com.google.protobuf.CodedOutputStream;
import io.vertx.grpc.common.GrpcStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;

/**
 * The one mapping between the HTTP statuses Kairos answers on REST and gRPC status codes, both
 * ways, so a gRPC client sees the same outcome a REST client would.
 */
public final class GrpcStatuses {
  /** Trailer with the seconds to wait before retrying, as REST's {@code Retry-After}. */
  public static final String RETRY_AFTER = "retry-after";

  /** Trailer with a binary {@code google.rpc.Status} whose details carry a {@code RetryInfo}. */
  public static final String STATUS_DETAILS = "grpc-status-details-bin";

  private static final String RETRY_INFO_TYPE = "type.googleapis.com/google.rpc.RetryInfo";

  private GrpcStatuses() {}

  /** The gRPC code for an HTTP status Kairos answers. */
  public static GrpcStatus fromHttp(int status) {
    return switch (status) {
      case 200 -> GrpcStatus.OK;
      case 400, 415, 422 -> GrpcStatus.INVALID_ARGUMENT;
      case 401 -> GrpcStatus.UNAUTHENTICATED;
      case 403 -> GrpcStatus.PERMISSION_DENIED;
      case 404 -> GrpcStatus.NOT_FOUND;
      case 405, 501 -> GrpcStatus.UNIMPLEMENTED;
      case 409 -> GrpcStatus.FAILED_PRECONDITION;
      case 413, 429 -> GrpcStatus.RESOURCE_EXHAUSTED;
      case 502, 503 -> GrpcStatus.UNAVAILABLE;
      case 504 -> GrpcStatus.DEADLINE_EXCEEDED;
      default -> GrpcStatus.INTERNAL;
    };
  }

  /**
   * The HTTP status a REST client would have seen for a gRPC code (what {@code InferenceException}
   * reports); codes without a REST twin map to 500.
   */
  public static int toHttp(GrpcStatus status) {
    return switch (status) {
      case OK -> 200;
      case INVALID_ARGUMENT, OUT_OF_RANGE -> 400;
      case UNAUTHENTICATED -> 401;
      case PERMISSION_DENIED -> 403;
      case NOT_FOUND -> 404;
      case FAILED_PRECONDITION, ALREADY_EXISTS, ABORTED -> 409;
      case RESOURCE_EXHAUSTED -> 429;
      case UNAVAILABLE -> 503;
      case DEADLINE_EXCEEDED -> 504;
      case UNIMPLEMENTED -> 501;
      default -> 500;
    };
  }

  /**
   * A {@code google.rpc.Status} carrying a {@code google.rpc.RetryInfo} with the given delay,
   * base64-encoded for the {@value #STATUS_DETAILS} trailer (gRPC's standard retry hint).
   */
  public static String retryDetails(GrpcStatus status, String message, long retryAfterSeconds) {
    try {
      // google.protobuf.Duration { int64 seconds = 1; }
      byte[] duration = message(out -> out.writeInt64(1, retryAfterSeconds));
      // google.rpc.RetryInfo { google.protobuf.Duration retry_delay = 1; }
      byte[] retryInfo = message(out -> out.writeByteArray(1, duration));
      // google.protobuf.Any { string type_url = 1; bytes value = 2; }
      byte[] any =
          message(
              out -> {
                out.writeString(1, RETRY_INFO_TYPE);
                out.writeByteArray(2, retryInfo);
              });
      // google.rpc.Status { int32 code = 1; string message = 2; repeated Any details = 3; }
      byte[] rpcStatus =
          message(
              out -> {
                out.writeInt32(1, status.code);
                if (message != null) {
                  out.writeString(2, message);
                }
                out.writeByteArray(3, any);
              });
      return Base64.getEncoder().withoutPadding().encodeToString(rpcStatus);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private interface Writer {
    void write(CodedOutputStream out) throws IOException;
  }

  private static byte[] message(Writer w) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    w.write(out);
    out.flush();
    return bytes.toByteArray();
  }
}
