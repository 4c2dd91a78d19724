package dev.kairos.runtime.server;

import dev.kairos.runtime.core.InferenceService;
import dev.kairos.runtime.core.NotReadyException;
import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.runtime.metrics.RuntimeMeters;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * What a replica serves whose server is bound before its model is ready: nothing until it is
 * assigned its model (every model request is answered 503, not ready), then that one model version,
 * as {@link ServedModels#one}. It lets a standby bind its server before it knows its model, so
 * assignment costs only the model's load, and a fresh replica bind its server while its model
 * loads.
 */
public final class StandbyModels implements ServedModels, RepositoryOperations {
  private final Vertx vertx;
  private final RuntimeMeters idleMeters = new RuntimeMeters();
  private volatile ServedModels served;
  private volatile RepositoryOperations repository;

  public StandbyModels(Vertx vertx) {
    this.vertx = vertx;
  }

  /** From now on, serves {@code service}; {@code loader} reloads it for the repository's load. */
  public void assign(InferenceService service, Supplier<LoadedModel> loader) {
    repository = new ReplicaRepository(vertx, service, loader);
    served = ServedModels.one(service);
  }

  private static NotReadyException unassigned() {
    return new NotReadyException(
        "no model has been assigned to this replica yet (a standby waits for its assignment, a"
            + " starting replica is still loading its model)");
  }

  @Override
  public InferenceService resolve(String model, String version) {
    ServedModels s = served;
    if (s == null) {
      throw unassigned();
    }
    return s.resolve(model, version);
  }

  @Override
  public boolean ready() {
    ServedModels s = served;
    return s != null && s.ready();
  }

  @Override
  public RuntimeMeters meters() {
    ServedModels s = served;
    return s == null ? idleMeters : s.meters();
  }

  @Override
  public CompletableFuture<byte[]> load(String model, byte[] body) {
    RepositoryOperations r = repository;
    return r == null ? CompletableFuture.failedFuture(unassigned()) : r.load(model, body);
  }

  @Override
  public CompletableFuture<byte[]> unload(String model, byte[] body) {
    RepositoryOperations r = repository;
    return r == null ? CompletableFuture.failedFuture(unassigned()) : r.unload(model, body);
  }

  @Override
  public CompletableFuture<byte[]> index() {
    RepositoryOperations r = repository;
    return r == null
        ? CompletableFuture.completedFuture("[]".getBytes(StandardCharsets.UTF_8))
        : r.index();
  }
}
