package dev.kairos.gateway.impl;

import dev.kairos.gateway.resilience.Breakers;
import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.route.ReplicaSet;
import java.util.random.RandomGenerator;

/**
 * The routing decision, in one place: model → version (explicit, or by traffic weights) → replica
 * (power of two choices on in-flight requests, skipping draining replicas and open breakers), with
 * the replica's breaker permission taken.
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
    BREAKERS_OPEN
  }

  private final RandomGenerator random;
  private final Breakers breakers;

  ReplicaChooser(RandomGenerator random, Breakers breakers) {
    this.random = random;
    this.breakers = breakers;
  }

  /**
   * Chooses for {@code exchange} (its route and explicit version, if any), skipping {@code
   * exclude}; sets the exchange's version and replica when it returns {@link Outcome#CHOSEN}.
   */
  Outcome choose(Exchange exchange, Replica exclude) {
    ModelRoute route = exchange.route;
    String version = exchange.explicitVersion;
    if (version == null) {
      version = exchange.version != null ? exchange.version : route.chooseVersion(random);
      if (version == null) {
        return Outcome.NO_REPLICA;
      }
    }
    ReplicaSet set = route.existingVersion(version);
    if (set == null) {
      return exchange.explicitVersion != null ? Outcome.NO_SUCH_VERSION : Outcome.NO_REPLICA;
    }
    exchange.version = version;
    Replica r = set.pick(random, exclude);
    if (r != null && breakerOf(r).tryAcquire()) {
      take(exchange, r);
      return Outcome.CHOSEN;
    }
    // The pick lost its breaker permission (half-open with its probe out) or found nothing: try
    // every other replica once, least loaded first is not worth sorting for.
    boolean any = false;
    for (Replica other : set.all()) {
      if (other == exclude || other.draining()) {
        continue;
      }
      any = true;
      if (other != r && !other.breakerOpen() && breakerOf(other).tryAcquire()) {
        take(exchange, other);
        return Outcome.CHOSEN;
      }
    }
    return any ? Outcome.BREAKERS_OPEN : Outcome.NO_REPLICA;
  }

  /** The exchange now counts as in flight at {@code r} until it leaves it. */
  private static void take(Exchange exchange, Replica r) {
    r.acquire();
    exchange.replica = r;
  }

  dev.kairos.gateway.resilience.ReplicaBreaker breakerOf(Replica r) {
    return r.breaker(() -> breakers.create(r.id()));
  }
}
