package dev.kairos.gateway.pipeline;

import dev.kairos.gateway.resilience.ReplicaBreaker;
import dev.kairos.gateway.route.Replica;
import dev.kairos.sdk.time.Clock;

/**
 * An attempt is done with its replica: gives back the in-flight slot and tells the replica's
 * breaker how it went. {@link Forward} calls it when an attempt fails, {@link Relay} when the
 * answer is in.
 */
final class ReplicaFeedback {
  /** How an attempt went, as far as its replica's health is concerned. */
  enum Outcome {
    SUCCEEDED,
    FAILED,
    NEUTRAL,
    /**
     * The deadline passed first (a timeout here, or the replica's 504): a failure for the breaker
     * only when the replica has answered nothing since the request was sent (it hangs). One that
     * keeps answering is overloaded; opening its breaker would refuse the work it can still do.
     */
    MISSED_DEADLINE;

    /** What a replica's own status says of it. */
    static Outcome of(int status) {
      return status == 500 || status == 502
          ? FAILED
          : status == 504 ? MISSED_DEADLINE : status == 503 ? NEUTRAL : SUCCEEDED;
    }
  }

  private final ReplicaChooser chooser;
  private final Clock time;

  ReplicaFeedback(ReplicaChooser chooser, Clock time) {
    this.chooser = chooser;
    this.time = time;
  }

  /** Keeps the replica as the one a retry avoids. Does nothing when the call holds none. */
  void left(Call call, Outcome outcome, Throwable cause) {
    Replica r = call.replica;
    if (r == null) {
      return;
    }
    call.replica = null;
    call.lastReplica = r;
    r.release();
    if (call.clientGone) {
      outcome = Outcome.NEUTRAL; // a client that leaves says nothing of the replica
    }
    ReplicaBreaker b = chooser.breakerOf(r);
    long now = time.monotonicNanos();
    long took = now - call.sentNanos;
    switch (outcome) {
      case SUCCEEDED -> {
        r.answered(now);
        b.onSuccess(took);
      }
      case FAILED -> b.onFailure(took, cause == null ? new IllegalStateException("failed") : cause);
      case NEUTRAL -> b.release();
      case MISSED_DEADLINE -> {
        if (r.answeredSince(call.sentNanos)) {
          b.release();
        } else {
          b.onFailure(took, cause == null ? new IllegalStateException("deadline") : cause);
        }
      }
    }
  }
}
