package dev.kairos.runtime.engine;

/** The engine or user code failed while running a request; answered 500, the replica stays up. */
public class EngineException extends RuntimeException {
  public EngineException(String message, Throwable cause) {
    super(message, cause);
  }
}
