package dev.kairos.gateway.activator;

import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.ReplicaSet;
import dev.kairos.gateway.route.RouteTable;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scale from zero: requests for a model without a ready replica wait here (a bounded queue per
 * model, each for a bounded time) while the {@link DemandListener} is told to start one. Once a
 * replica of the model takes traffic, the held requests are released in arrival order and routed
 * again; those still waiting at their deadline, or beyond the queue's bound, are refused, and the
 * caller answers them 503 with Retry-After.
 *
 * <p>The route table tells the activator when a replica joins a model or the model leaves the
 * table, and the model's held requests are released then, on the thread that changed it (the caller
 * routes them again, or answers 404 for a model that is gone); a periodic check ({@link
 * ActivatorOptions#checkEvery()}) runs too while requests are held, for a request held just as its
 * replica joined.
 */
public final class Activator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Activator.class);

  private final Vertx vertx;
  private final RouteTable routes;
  private final ActivatorOptions options;
  private final DemandListener demand;
  private final Map<String, ArrayDeque<Held>> held = new HashMap<>();
  private long checker = -1;
  private boolean closed;

  public Activator(
      Vertx vertx, RouteTable routes, ActivatorOptions options, DemandListener demand) {
    this.vertx = vertx;
    this.routes = routes;
    this.options = options;
    this.demand = demand;
    routes.onRoutingChange(this::changed);
  }

  private static final class Held {
    final String model;
    final String version;
    final Context context;
    final Runnable release;
    final Consumer<String> refuse;
    final long waitMs;
    long deadlineTimer;

    Held(
        String model,
        String version,
        Context context,
        Runnable release,
        Consumer<String> refuse,
        long waitMs) {
      this.waitMs = waitMs;
      this.model = model;
      this.version = version;
      this.context = context;
      this.release = release;
      this.refuse = refuse;
    }
  }

  /**
   * Holds a request until a replica of {@code model} (of {@code version}, when not null) takes
   * traffic. Exactly one of the callbacks runs, on the caller's Vert.x context: {@code release} to
   * route the request again, or {@code refuse} with the reason it was not held or waited too long.
   */
  public void hold(String model, String version, Runnable release, Consumer<String> refuse) {
    hold(model, version, options.maxWait().toMillis(), release, refuse);
  }

  /**
   * As {@link #hold(String, String, Runnable, Consumer)}, waiting at most {@code maxWaitMs} (and
   * never longer than the options' {@code maxWait}): a request's own deadline bounds its wait.
   */
  public void hold(
      String model, String version, long maxWaitMs, Runnable release, Consumer<String> refuse) {
    long waitMs = Math.max(1, Math.min(maxWaitMs, options.maxWait().toMillis()));
    Context ctx = vertx.getOrCreateContext();
    Held h = new Held(model, version, ctx, release, refuse, waitMs);
    int count;
    synchronized (this) {
      if (closed) {
        ctx.runOnContext(v -> refuse.accept("the gateway is shutting down"));
        return;
      }
      ArrayDeque<Held> q = held.computeIfAbsent(model, m -> new ArrayDeque<>());
      if (q.size() >= options.maxHeldPerModel()) {
        ctx.runOnContext(
            v ->
                refuse.accept(
                    "model '"
                        + model
                        + "' has no ready replica and "
                        + options.maxHeldPerModel()
                        + " requests already wait for one"));
        return;
      }
      q.addLast(h);
      count = q.size();
      h.deadlineTimer = vertx.setTimer(waitMs, id -> expire(h));
      if (checker < 0) {
        checker = vertx.setPeriodic(options.checkEvery().toMillis(), id -> check());
      }
    }
    if (count == 1) {
      log.atLevel(holdLevel())
          .log("model={} no ready replica: holding requests and asking for one", model);
    }
    try {
      demand.demand(model, version, count);
    } catch (RuntimeException e) {
      log.warn("model={} demand listener failed: {}", model, e.toString());
    }
  }

  private org.slf4j.event.Level holdLevel() {
    return options.logHolds() ? org.slf4j.event.Level.INFO : org.slf4j.event.Level.DEBUG;
  }

  /** Requests held for a model now. */
  public synchronized int held(String model) {
    ArrayDeque<Held> q = held.get(model);
    return q == null ? 0 : q.size();
  }

  private void expire(Held h) {
    synchronized (this) {
      ArrayDeque<Held> q = held.get(h.model);
      if (q == null || !q.remove(h)) {
        return;
      }
      if (q.isEmpty()) {
        held.remove(h.model);
      }
    }
    log.warn("model={} held request gave up: no replica within {} ms", h.model, h.waitMs);
    h.context.runOnContext(
        v ->
            h.refuse.accept(
                "model '"
                    + h.model
                    + "' has no ready replica: none became ready within "
                    + h.waitMs
                    + " ms"));
  }

  /** A replica joined {@code model}, or it left the table: release what can go now. */
  private void changed(String model) {
    List<Held> released = new ArrayList<>();
    synchronized (this) {
      ArrayDeque<Held> q = held.get(model);
      if (q == null) {
        return;
      }
      collectRoutable(model, q, released);
      if (q.isEmpty()) {
        held.remove(model);
      }
    }
    release(released);
  }

  private void check() {
    List<Held> released = new ArrayList<>();
    synchronized (this) {
      for (Iterator<Map.Entry<String, ArrayDeque<Held>>> it = held.entrySet().iterator();
          it.hasNext(); ) {
        Map.Entry<String, ArrayDeque<Held>> e = it.next();
        collectRoutable(e.getKey(), e.getValue(), released);
        if (e.getValue().isEmpty()) {
          it.remove();
        }
      }
      if (held.isEmpty() && checker >= 0) {
        vertx.cancelTimer(checker);
        checker = -1;
      }
    }
    release(released);
  }

  /** Moves the held requests of {@code model} that can be routed now into {@code released}. */
  private void collectRoutable(String model, ArrayDeque<Held> q, List<Held> released) {
    ModelRoute route = routes.find(model);
    for (Iterator<Held> hs = q.iterator(); hs.hasNext(); ) {
      Held h = hs.next();
      if (route == null || routable(route, h.version)) {
        hs.remove();
        released.add(h);
      }
    }
  }

  private void release(List<Held> released) {
    if (released.isEmpty()) {
      return;
    }
    log.atLevel(holdLevel())
        .log(
            "model={} replica ready or model gone: releasing {} held requests",
            released.get(0).model,
            released.size());
    for (Held h : released) {
      vertx.cancelTimer(h.deadlineTimer);
      h.context.runOnContext(v -> h.release.run());
    }
  }

  private static boolean routable(ModelRoute route, String version) {
    if (version != null) {
      ReplicaSet s = route.existingVersion(version);
      return s != null && s.routable() > 0;
    }
    for (ReplicaSet s : route.versions().values()) {
      if (s.routable() > 0) {
        return true;
      }
    }
    return false;
  }

  /** Refuses every held request. */
  @Override
  public void close() {
    List<Held> all = new ArrayList<>();
    synchronized (this) {
      closed = true;
      held.values().forEach(all::addAll);
      held.clear();
      if (checker >= 0) {
        vertx.cancelTimer(checker);
        checker = -1;
      }
    }
    for (Held h : all) {
      vertx.cancelTimer(h.deadlineTimer);
      h.context.runOnContext(v -> h.refuse.accept("the gateway is shutting down"));
    }
  }
}
