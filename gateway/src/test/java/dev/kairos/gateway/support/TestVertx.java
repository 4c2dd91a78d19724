package dev.kairos.gateway.support;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.TimeUnit;

/**
 * Vert.x for tests, with a blocked-thread check tight enough that an event loop held for about a
 * second is reported (with its stack), and {@link NoBlockedEventLoops} fails the test.
 */
public final class TestVertx {
  /** Longest an event loop may run one task before Vert.x reports it. */
  public static final long MAX_EVENT_LOOP_MILLIS = 800;

  private TestVertx() {}

  public static VertxOptions options() {
    return new VertxOptions()
        .setMaxEventLoopExecuteTime(MAX_EVENT_LOOP_MILLIS)
        .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
        .setBlockedThreadCheckInterval(100)
        .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
        .setWarningExceptionTime(MAX_EVENT_LOOP_MILLIS)
        .setWarningExceptionTimeUnit(TimeUnit.MILLISECONDS);
  }

  public static Vertx create() {
    return Vertx.vertx(options());
  }
}
