package dev.kairos.gateway.support;

import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;

/** Blocks a test thread on a Vert.x future. */
public final class Await {
  private Await() {}

  public static <T> T result(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
