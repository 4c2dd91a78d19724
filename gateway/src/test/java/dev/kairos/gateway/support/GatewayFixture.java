package dev.kairos.gateway.support;

import dev.kairos.gateway.Gateway;
import dev.kairos.gateway.GatewayOptions;
import dev.kairos.gateway.activator.Activator;
import dev.kairos.gateway.activator.ActivatorOptions;
import dev.kairos.gateway.auth.ApiKeyStore;
import dev.kairos.gateway.auth.ApiKeys;
import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.sdk.time.ManualClock;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;

/** A gateway on a loopback port in front of test backends, with a hand-driven clock. */
public final class GatewayFixture implements AutoCloseable {
  public final Vertx vertx = TestVertx.create();
  public final RouteTable routes = new RouteTable();
  public final ManualClock time = new ManualClock();
  public final Http http = new Http();
  private final List<Backend> backends = new ArrayList<>();
  private Gateway gateway;

  /** The scale-from-zero activator, once {@link #startWithActivator} has made one. */
  public Activator activator;

  public Backend backend(String id) {
    Backend b = new Backend(vertx, id).start();
    backends.add(b);
    return b;
  }

  /** Adds a backend as a ready replica of {@code model} version {@code version}. */
  public Replica serve(String model, String version, Backend b) {
    return serve(model, version, b, 0);
  }

  /** As {@link #serve(String, String, Backend)}, for a replica that admits {@code capacity}. */
  public Replica serve(String model, String version, Backend b, int capacity) {
    ModelRoute route = routes.model(model);
    Replica r = new Replica(b.id(), "127.0.0.1", b.port(), capacity);
    route.version(version).add(r);
    route.markReady();
    return r;
  }

  /**
   * The one event loop's random source, seeded: tests that count on which of two replicas is chosen
   * first see the same order on every run.
   */
  private final java.util.SplittableRandom random = new java.util.SplittableRandom(42);

  public GatewayFixture start(GatewayOptions options) {
    return start(options, ApiKeyStore.fixed(ApiKeys.none()));
  }

  public GatewayFixture start(GatewayOptions options, ApiKeyStore keys) {
    gateway =
        new Gateway(
            vertx, options.withPort(0).withEventLoops(1), routes, keys, time, null, () -> random);
    Await.result(gateway.listen());
    return this;
  }

  /** Starts with a scale-from-zero activator that holds requests for models without a replica. */
  public GatewayFixture startWithActivator(GatewayOptions options, ActivatorOptions activator) {
    this.activator = new Activator(vertx, routes, activator, (m, v, held) -> {});
    gateway =
        new Gateway(
            vertx,
            options.withPort(0).withEventLoops(1),
            routes,
            ApiKeyStore.fixed(ApiKeys.none()),
            time,
            this.activator,
            () -> random);
    Await.result(gateway.listen());
    return this;
  }

  public static GatewayOptions options() {
    return GatewayOptions.defaults();
  }

  public Gateway gateway() {
    return gateway;
  }

  public String url(String path) {
    return "http://127.0.0.1:" + gateway.port() + path;
  }

  @Override
  public void close() {
    if (gateway != null) {
      Await.result(gateway.close());
    }
    for (Backend b : backends) {
      b.releaseHeld();
    }
    Await.result(vertx.close());
  }
}
