package dev.kairos.runtime.core;

/**
 * A model version may not be loaded into a shared runtime host: its {@code model.yaml} asks for a
 * process of its own, its engine keeps one, or it is a Java predictor the host does not trust.
 */
public class IsolationRefusedException extends RuntimeException {
  public IsolationRefusedException(String message) {
    super(message, null, false, false);
  }
}
