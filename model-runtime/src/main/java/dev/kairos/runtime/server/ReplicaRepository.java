package dev.kairos.runtime.server;

import dev.kairos.runtime.core.InferenceService;
import dev.kairos.runtime.core.UnknownModelException;
import dev.kairos.runtime.engine.LoadedModel;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The repository extension of a replica serving one model version: {@code load} reloads it from its
 * files, {@code unload} drops it (requests are answered 503 until the next load).
 */
final class ReplicaRepository implements RepositoryOperations {
  private static final byte[] EMPTY = "{}".getBytes(StandardCharsets.UTF_8);

  private final Vertx vertx;
  private final InferenceService service;
  private final Supplier<LoadedModel> loader;

  ReplicaRepository(Vertx vertx, InferenceService service, Supplier<LoadedModel> loader) {
    this.vertx = vertx;
    this.service = service;
    this.loader = loader;
  }

  @Override
  public CompletableFuture<byte[]> load(String model, byte[] body) {
    return run(model, () -> service.reload(loader.get()));
  }

  @Override
  public CompletableFuture<byte[]> unload(String model, byte[] body) {
    return run(model, service::unload);
  }

  @Override
  public CompletableFuture<byte[]> index() {
    String json =
        "[{\"name\":\""
            + service.model()
            + "\",\"version\":\""
            + service.version()
            + "\",\"state\":\""
            + (service.ready() ? "READY" : "UNAVAILABLE")
            + "\"}]";
    return CompletableFuture.completedFuture(json.getBytes(StandardCharsets.UTF_8));
  }

  private CompletableFuture<byte[]> run(String model, Runnable op) {
    if (!model.equals(service.model())) {
      return CompletableFuture.failedFuture(
          new UnknownModelException("unknown model '" + model + "'"));
    }
    return vertx
        .executeBlocking(
            () -> {
              op.run();
              return EMPTY;
            })
        .toCompletionStage()
        .toCompletableFuture();
  }
}
