package dev.kairos.sdk.predictor;

/**
 * A {@link Predictor} could not be found, constructed or loaded. The message names the model and
 * the cause (class not found, no public no-argument constructor, what {@code load} threw).
 */
public class PredictorLoadException extends RuntimeException {
  public PredictorLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
