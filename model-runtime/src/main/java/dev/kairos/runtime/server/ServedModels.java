package dev.kairos.runtime.server;

import dev.kairos.runtime.core.InferenceService;
import dev.kairos.runtime.core.UnknownModelException;
import dev.kairos.runtime.metrics.RuntimeMeters;

/** The model versions a runtime process serves, found by the names in a request's path. */
public interface ServedModels {
  /**
   * The model version a request names; with no version, the one this process serves (the highest
   * number when it holds several).
   *
   * @throws UnknownModelException when this process does not serve it
   */
  InferenceService resolve(String model, String version);

  /** Whether the process takes requests ({@code /v2/health/ready}). */
  boolean ready();

  /** The meters {@code /metrics} shows. */
  RuntimeMeters meters();

  /** A replica: one model version, for the life of the process. */
  static ServedModels one(InferenceService service) {
    return new ServedModels() {
      @Override
      public InferenceService resolve(String model, String version) {
        if (!model.equals(service.model())) {
          throw new UnknownModelException("unknown model '" + model + "'");
        }
        if (version != null && !version.equals(service.version())) {
          throw new UnknownModelException(
              "model '" + model + "' has no version '" + version + "' on this replica");
        }
        return service;
      }

      @Override
      public boolean ready() {
        return service.ready();
      }

      @Override
      public RuntimeMeters meters() {
        return service.metrics().meters();
      }
    };
  }
}
