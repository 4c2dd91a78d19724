package dev.kairos.gateway.pipeline;

import dev.kairos.gateway.resilience.Breakers;
import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.route.ReplicaSet;
import io.vertx.core.http.HttpMethod;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The routing decision, in one place: model → version (explicit, or by traffic weights) → replica
 * (power of two choices on in-flight requests, skipping draining and full replicas and open
 * breakers), with an in-flight slot within the replica's capacity and its breaker permission taken.
 *
 * <p>When this finds no replica at all ({@link Outcome#NO_REPLICA}) the caller is where a
 * scale-from-zero activator holds the request instead of refusing it.
 */
final class ReplicaChooser {
  /** Why no replica was chosen, or that one was. */
  enum Outcome {
    CHOSEN,
    /** An explicit version the model does not have: 404. */
    NO_SUCH_VERSION,
    /** The version (or every version) has no replica that takes requests: 503, or activate. */
    NO_REPLICA,
    /** Replicas exist but every breaker refuses: 503. */
    BREAKERS_OPEN,
    /** Every replica that could take the inference holds all it admits: 503 at once. */
    FULL
  }

  /** The calling thread's source: one chooser serves every event loop. */
  private final Supplier<? extends RandomGenerator> random;

  private final Breakers breakers;

  ReplicaChooser(Supplier<? extends RandomGenerator> random, Breakers breakers) {
    this.random = random;
    this.breakers = breakers;
  }

  /**
   * Chooses for {@code call} (its route and explicit version, if any), skipping {@code exclude};
   * sets the call's version and replica when it returns {@link Outcome#CHOSEN}.
   */
  Outcome choose(Call call, Replica exclude) {
    ModelRoute route = call.route;
    String version = call.explicitVersion;
    RandomGenerator random = this.random.get();
    if (version == null) {
      version = call.version != null ? call.version : route.chooseVersion(random);
      if (version == null) {
        return Outcome.NO_REPLICA;
      }
    }
    ReplicaSet set = route.existingVersion(version);
    if (set == null) {
      return call.explicitVersion != null ? Outcome.NO_SUCH_VERSION : Outcome.NO_REPLICA;
    }
    call.version = version;
    boolean bounded = call.caller.method() == HttpMethod.POST;
    Replica r = set.pick(random, exclude);
    if (r != null && take(call, r, bounded)) {
      return Outcome.CHOSEN;
    }
    // The pick lost its slot or its breaker permission (half-open with its probe out), or found
    // nothing: try every other replica once; least loaded first is not worth sorting for.
    boolean any = false;
    boolean full = false;
    for (Replica other : set.all()) {
      if (other == exclude || other.draining()) {
        continue;
      }
      any = true;
      if (bounded && other.full()) {
        full = true;
      } else if (other != r && !other.breakerOpen() && take(call, other, bounded)) {
        return Outcome.CHOSEN;
      }
    }
    return !any ? Outcome.NO_REPLICA : full ? Outcome.FULL : Outcome.BREAKERS_OPEN;
  }

  /**
   * Takes an in-flight slot at {@code r} (within its capacity when {@code bounded}: an inference)
   * and its breaker's permission; the call then counts as in flight there until it leaves.
   */
  private boolean take(Call call, Replica r, boolean bounded) {
    if (bounded) {
      if (!r.tryAcquire()) {
        return false;
      }
    } else {
      r.acquire();
    }
    if (!breakerOf(r).tryAcquire()) {
      r.release();
      return false;
    }
    call.replica = r;
    return true;
  }

  dev.kairos.gateway.resilience.ReplicaBreaker breakerOf(Replica r) {
    return r.breaker(() -> breakers.create(r.id()));
  }
}
