package dev.kairos.gateway.pipeline;

import dev.kairos.gateway.GatewayOptions;
import dev.kairos.gateway.activator.Activator;
import dev.kairos.gateway.auth.ApiKeyStore;
import dev.kairos.gateway.metrics.GatewayMetrics;
import dev.kairos.gateway.protocol.Translation;
import dev.kairos.gateway.resilience.Breakers;
import dev.kairos.gateway.resilience.RetryBudget;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.sdk.time.Clock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.internal.VertxInternal;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The gateway's request path for model calls, the same for every protocol:
 *
 * <pre>
 *   protocol adapter ({@link HttpFront}, {@link GrpcFront}): the request becomes a {@link Call}
 *   → {@link Admit}    auth, rate limit, the model's limits, body, bulkhead
 *   → {@link Route}    version and replica (or held for one by the activator)
 *   → {@link Forward}  connection, deadline, retry, breaker feedback
 *   → {@link Relay}    the answer, whole or streamed, and the call's end
 * </pre>
 *
 * Each stage hands the call to the next or ends it; none calls back into the one before, except a
 * retry, which is a new attempt through {@link Route}. The call's stage is explicit ({@link
 * Call.Stage}) and logged at TRACE on {@code dev.kairos.gateway.pipeline.Walk}.
 */
public final class Pipeline {
  private final GatewayMetrics metrics;
  private final Clock time;
  private final Admission admission;
  private final Admit admit;
  private final ReplicaLinks links;

  /**
   * @param random the calling thread's random source (asked per request: event loops must not share
   *     one, it is not thread-safe)
   * @param client Vert.x's HTTP client: for requests whose body streams from the client, and for
   *     the gateway's own questions to replicas (a model's inputs); the rest go through a Netty
   *     client on the request's event loop
   * @param activator holds requests for models without a ready replica; null answers them 503
   */
  public Pipeline(
      Vertx vertx,
      RouteTable routes,
      HttpClient client,
      GatewayOptions options,
      ApiKeyStore keys,
      GatewayMetrics metrics,
      Clock time,
      Supplier<? extends RandomGenerator> random,
      Activator activator) {
    this.metrics = metrics;
    this.time = time;
    this.admission = new Admission(keys, metrics, time);
    ReplicaChooser chooser = new ReplicaChooser(random, new Breakers(options.breaker(), time));
    ReplicaFeedback feedback = new ReplicaFeedback(chooser, time);
    Relay relay = new Relay(feedback);
    this.links = new ReplicaLinks((VertxInternal) vertx, options.maxConnectionsPerReplica());
    Forward forward =
        new Forward(
            links,
            new VertxReplicaClient(client),
            chooser,
            feedback,
            new RetryBudget(options.retry(), time),
            options,
            metrics,
            time,
            new InputsCache(client, options.replicaToken()),
            relay);
    Route route = new Route(routes, chooser, options, metrics, activator, forward);
    forward.retryThrough(route);
    this.admit = new Admit(vertx, routes, options, admission, metrics, route);
  }

  /**
   * A new call, received now.
   *
   * @param explicitVersion the version the caller named, or null for the traffic split
   * @param translation the protocol's translation to OIP, or null when the body passes unparsed
   * @param stream whether the answer is a stream of events
   * @param authorized whether the adapter already checked the caller's key and rate
   */
  Call call(
      Caller caller,
      String model,
      String explicitVersion,
      Translation translation,
      boolean stream,
      boolean authorized,
      String upstreamUri) {
    return call(
        caller,
        model,
        explicitVersion,
        translation,
        stream,
        authorized,
        upstreamUri,
        time.monotonicNanos());
  }

  /** A new call that was received at {@code startNanos} (its adapter read the body first). */
  Call call(
      Caller caller,
      String model,
      String explicitVersion,
      Translation translation,
      boolean stream,
      boolean authorized,
      String upstreamUri,
      long startNanos) {
    Call call =
        new Call(
            caller,
            model,
            explicitVersion,
            translation,
            stream,
            authorized,
            metrics,
            time,
            startNanos);
    call.upstreamUri = upstreamUri;
    return call;
  }

  /** Closes the forward path's connections to replicas. */
  public Future<Void> close() {
    return links.close();
  }

  /** Sends a call down the stages. */
  void enter(Call call) {
    admit.enter(call);
  }

  /** Authentication and rate limit, for adapters that answer before a call is made. */
  Admission admission() {
    return admission;
  }

  GatewayMetrics metrics() {
    return metrics;
  }

  Clock time() {
    return time;
  }
}
