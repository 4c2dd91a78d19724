package dev.kairos.gateway.pipeline;

import dev.kairos.gateway.GatewayOptions;
import dev.kairos.gateway.metrics.GatewayMetrics;
import dev.kairos.gateway.metrics.GatewayMetrics.Rejection;
import dev.kairos.gateway.pipeline.Admission.Refusal;
import dev.kairos.gateway.resilience.ModelGate;
import dev.kairos.gateway.route.ModelLimits;
import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.RouteTable;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

/**
 * The first stage: may this call go to its model now? Authentication and rate limit (unless the
 * protocol's adapter checked them already), the model (its limits are the model's), the deadline,
 * the body's size (read whole when small, so a refused send can be retried), then capacity: the
 * model's bulkhead, which admits the call, queues it for a while, or refuses it at once. An
 * admitted call holds a bulkhead slot until it ends, and goes on to {@link Route}.
 */
final class Admit {
  /** Bodies up to this size are read whole (so a refused send can be retried); larger stream. */
  static final long BUFFERED_BODY_LIMIT = 256 * 1024;

  private final Vertx vertx;
  private final RouteTable routes;
  private final GatewayOptions options;
  private final Admission admission;
  private final GatewayMetrics metrics;
  private final Route next;

  Admit(
      Vertx vertx,
      RouteTable routes,
      GatewayOptions options,
      Admission admission,
      GatewayMetrics metrics,
      Route next) {
    this.vertx = vertx;
    this.routes = routes;
    this.options = options;
    this.admission = admission;
    this.metrics = metrics;
    this.next = next;
  }

  void enter(Call call) {
    call.enter(Call.Stage.ADMIT);
    if (!call.authorized && admission.enforced()) {
      Refusal r = admission.check(call.caller.secret(), call.model);
      if (r != null) {
        call.refuse(r.status(), r.message(), r.retryAfter());
        return;
      }
    }
    ModelRoute route = routes.find(call.model);
    if (route == null) {
      call.refuse(404, "unknown model '" + call.model + "'", null);
      return;
    }
    call.route = route;
    if (route.state() == ModelRoute.State.FAILED) {
      call.refuse(503, "model '" + call.model + "' failed to load: " + route.reason(), "1");
      return;
    }
    ModelLimits limits = route.limits();
    call.limits = limits == null ? options.modelLimits() : limits;
    call.timeoutMs = call.limits.timeout().toMillis();
    String asked = call.caller.askedDeadline();
    if (asked != null) {
      try {
        call.timeoutMs = Long.parseLong(asked.trim());
        if (call.timeoutMs < 1) {
          throw new NumberFormatException();
        }
        call.deadlineAsked = true;
      } catch (NumberFormatException e) {
        call.refuse(
            400,
            HttpCaller.TIMEOUT_HEADER + " = '" + asked + "', must be a positive integer",
            null);
        return;
      }
    }
    long length = call.body != null ? call.body.length() : call.caller.declaredLength();
    if (length > options.maxBodyBytes()) {
      tooLarge(call);
      return;
    }
    HttpMethod method = call.caller.method();
    boolean bodiless = method == HttpMethod.GET || method == HttpMethod.HEAD;
    if (bodiless) {
      if (call.body == null) {
        call.body = Buffer.buffer();
      }
      bulkhead(call);
    } else if (route.full()) {
      // Before the body is read: a refusal under overload costs no copy of it, here or at a
      // replica, and takes no time from the requests the replicas are running.
      call.refuseFull();
    } else if (call.body != null) {
      bulkhead(call);
    } else if (call.translation == null && length > BUFFERED_BODY_LIMIT) {
      call.caller.pauseBody();
      bulkhead(call);
    } else {
      call.caller.readBody(
          options.maxBodyBytes(),
          body -> {
            if (!call.ended()) {
              call.body = body;
              bulkhead(call);
            }
          },
          () -> tooLarge(call));
    }
  }

  private void tooLarge(Call call) {
    metrics.rejected(call.model, Rejection.TOO_LARGE);
    call.refuse(413, "request body exceeds " + options.maxBodyBytes() + " bytes", null);
  }

  /** Capacity: the model's bulkhead lets the call on now, queues it a while, or refuses it. */
  private void bulkhead(Call call) {
    ModelGate gate = call.route.gate();
    ModelLimits l = call.limits;
    if (gate.tryEnter(l.maxInFlight())) {
      admitted(call);
      return;
    }
    Context context = vertx.getOrCreateContext();
    Runnable[] waiter = new Runnable[1];
    long[] timer = {-1};
    waiter[0] =
        () ->
            context.runOnContext(
                v -> {
                  if (timer[0] >= 0) {
                    vertx.cancelTimer(timer[0]);
                  }
                  admitted(call);
                });
    switch (gate.enter(l.maxInFlight(), l.maxQueued(), waiter[0])) {
      case ADMITTED -> admitted(call);
      case QUEUED -> {
        long waitMs = Math.max(1, l.maxQueueWait().toMillis());
        timer[0] =
            vertx.setTimer(
                waitMs,
                id -> {
                  if (gate.cancel(waiter[0])) {
                    metrics.rejected(call.model, Rejection.QUEUE_TIMEOUT);
                    call.refuse(
                        503,
                        "model '"
                            + call.model
                            + "' is overloaded: no slot within "
                            + waitMs
                            + " ms",
                        "1");
                  }
                });
      }
      case REJECTED -> {
        metrics.rejected(call.model, Rejection.OVERLOADED);
        call.refuse(
            503,
            "model '"
                + call.model
                + "' is overloaded: "
                + l.maxInFlight()
                + " in flight and "
                + l.maxQueued()
                + " waiting",
            "1");
      }
    }
  }

  private void admitted(Call call) {
    call.gateHeld = true;
    next.enter(call, null);
  }
}
