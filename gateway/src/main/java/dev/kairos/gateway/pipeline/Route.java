package dev.kairos.gateway.pipeline;

import dev.kairos.gateway.GatewayOptions;
import dev.kairos.gateway.activator.Activator;
import dev.kairos.gateway.metrics.GatewayMetrics;
import dev.kairos.gateway.metrics.GatewayMetrics.Rejection;
import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.route.RouteTable;
import io.vertx.core.http.HttpMethod;

/**
 * The second stage: which replica takes this attempt. The version (named, or drawn from the traffic
 * split), then a replica with a free in-flight slot and its breaker's permission ({@link
 * ReplicaChooser}); the call goes on to {@link Forward} holding both. When the model has no replica
 * that takes requests, a scale-from-zero {@link Activator} holds the call until one is ready (and
 * the call enters this stage again, with the model's route as the table has it then), or it is
 * answered 503.
 */
final class Route {
  private final RouteTable routes;
  private final ReplicaChooser chooser;
  private final GatewayOptions options;
  private final GatewayMetrics metrics;
  private final Activator activator;
  private final Forward next;

  Route(
      RouteTable routes,
      ReplicaChooser chooser,
      GatewayOptions options,
      GatewayMetrics metrics,
      Activator activator,
      Forward next) {
    this.routes = routes;
    this.chooser = chooser;
    this.options = options;
    this.metrics = metrics;
    this.activator = activator;
    this.next = next;
  }

  /**
   * @param avoid the replica a retry must not go back to, or null
   */
  void enter(Call call, Replica avoid) {
    call.enter(Call.Stage.ROUTE);
    switch (chooser.choose(call, avoid)) {
      case CHOSEN -> next.enter(call);
      case NO_SUCH_VERSION ->
          call.refuse(
              404,
              "model '" + call.model + "' has no version '" + call.explicitVersion + "'",
              null);
      case BREAKERS_OPEN -> {
        metrics.rejected(call.model, Rejection.NO_REPLICA);
        call.refuse(
            503,
            "every replica of model '" + call.model + "' is failing; retry later",
            Admission.seconds(options.breaker().openFor().toNanos()));
      }
      case FULL -> call.refuseFull();
      case NO_REPLICA -> noReplica(call);
    }
  }

  /**
   * The model has no replica that takes requests (none started, scaled to zero, all draining). This
   * is where a scale-from-zero activator holds the request and signals demand instead.
   */
  private void noReplica(Call call) {
    byte[] known = metadataRequest(call) ? call.route.knownMetadata(call.explicitVersion) : null;
    if (known != null) {
      // Metadata is what a replica said before; asking for it must not wake a model at zero.
      call.answered(200, known);
      return;
    }
    if (activator == null) {
      metrics.rejected(call.model, Rejection.NO_REPLICA);
      call.refuse(503, "model '" + call.model + "' has no ready replica yet", "1");
      return;
    }
    long left = call.leftMs();
    if (left < 1) {
      metrics.rejected(call.model, Rejection.NO_REPLICA);
      call.refuse(503, "model '" + call.model + "' has no ready replica", "1");
      return;
    }
    // Hold for the version the request was routed to (named, or drawn from the traffic split):
    // when another version of the model has replicas, holding for "any version" would release the
    // request at once, route it to the same empty version again and hold it anew, without end.
    activator.hold(
        call.model,
        call.explicitVersion != null ? call.explicitVersion : call.version,
        left,
        () -> released(call),
        why -> {
          metrics.rejected(call.model, Rejection.NO_REPLICA);
          call.refuse(503, why, "1");
        });
  }

  /**
   * A held call goes on with the model's route as it is now: the model may have been removed while
   * the call waited, or removed and added again (a new route, whose replicas the old one never
   * gets), and routing the call by the route it was admitted with would hold it again until its
   * deadline.
   */
  private void released(Call call) {
    if (call.ended()) {
      return;
    }
    ModelRoute now = routes.find(call.model);
    if (now == null) {
      call.refuse(
          404,
          "model '" + call.model + "' was removed while the request waited for a replica",
          null);
      return;
    }
    call.route = now;
    enter(call, null);
  }

  /** A forwarded GET is a model metadata request: its answer is kept on the route. */
  static boolean metadataRequest(Call call) {
    return call.translation == null && call.caller.method() == HttpMethod.GET;
  }
}
