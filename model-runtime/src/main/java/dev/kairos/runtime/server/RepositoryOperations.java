package dev.kairos.runtime.server;

import java.util.concurrent.CompletableFuture;

/**
 * Triton's model repository extension as a runtime process offers it: load, unload and index. Each
 * operation runs off the event loop and completes with the JSON body of its answer, or fails with
 * an exception {@link HttpErrors} maps to a status.
 */
public interface RepositoryOperations {
  /**
   * {@code POST /v2/repository/models/{model}/load}.
   *
   * @param body the request body (possibly empty): JSON with optional {@code parameters}
   */
  CompletableFuture<byte[]> load(String model, byte[] body);

  /** {@code POST /v2/repository/models/{model}/unload}. */
  CompletableFuture<byte[]> unload(String model, byte[] body);

  /** {@code GET} or {@code POST /v2/repository/index}: the model versions and their state. */
  CompletableFuture<byte[]> index();
}
