package dev.kairos.sdk.client;

import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * How an {@link InferenceClient} reaches its server, when not over the built-in REST transport
 * ({@code java.net.http}). The module {@code kairos-sdk-grpc} provides the Open Inference
 * Protocol's gRPC transport: with it on the class path, {@code InferenceClient.builder(
 * URI.create("grpc://127.0.0.1:8081"))} calls over gRPC, with the same retries, deadlines and
 * exceptions as over REST.
 */
public interface InferenceTransport extends AutoCloseable {
  /**
   * One attempt of a call.
   *
   * @param binary send tensors in their binary form (gRPC: {@code raw_input_contents}) rather than
   *     typed values
   * @return completes with the server's answer, whatever its status; fails only when no answer came
   *     (connection refused or broken)
   */
  CompletableFuture<Answer> infer(
      String model, String version, InferenceRequest request, boolean binary, Duration timeout);

  /** Whether the model answers ready; false when the server cannot be reached. */
  boolean isModelReady(String model, Duration timeout);

  /** Whether the server answers live; false when it cannot be reached. */
  boolean isServerLive(Duration timeout);

  @Override
  void close();

  /**
   * A server's answer in REST's terms, so retries and exceptions work the same whatever the
   * transport.
   *
   * @param status the HTTP status REST would have answered (200 with a response)
   * @param response the response when the status is 200, else null
   * @param error the server's error message, else null
   * @param retryAfter the server's retry hint (seconds or an HTTP date), or null
   */
  record Answer(int status, InferenceResponse response, String error, String retryAfter) {}

  /**
   * Makes transports for the URI schemes it supports; found with {@link java.util.ServiceLoader}.
   */
  interface Provider {
    boolean supports(String scheme);

    /**
     * @param headers sent with every call (e.g. {@code Authorization}), as the transport's metadata
     */
    InferenceTransport create(URI target, Map<String, String> headers);
  }
}
