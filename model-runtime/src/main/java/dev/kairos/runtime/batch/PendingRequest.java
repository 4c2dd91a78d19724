package dev.kairos.runtime.batch;

import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import java.util.concurrent.CompletableFuture;

/**
 * A validated request waiting in the batcher's queue.
 *
 * @param request the request
 * @param key requests with equal keys may share a batch; null runs alone
 * @param rows its size along the batch dimension
 * @param enqueuedNanos monotonic time it joined the queue
 * @param deadlineNanos monotonic time after which it must not run, or {@link Long#MAX_VALUE}
 * @param result completed with its response, or failed
 */
public record PendingRequest(
    InferenceRequest request,
    String key,
    int rows,
    long enqueuedNanos,
    long deadlineNanos,
    CompletableFuture<InferenceResponse> result) {

  boolean joins(PendingRequest head) {
    return key != null && key.equals(head.key);
  }
}
