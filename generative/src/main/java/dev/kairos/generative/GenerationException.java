package dev.kairos.generative;

/**
 * A generation that cannot go on; the subclass says whose fault it is, and the HTTP edge maps each
 * to one status. Cheap: no stack trace, these are answers, not bugs.
 */
public class GenerationException extends RuntimeException {
  public GenerationException(String message) {
    super(message, null, false, false);
  }

  /** The request is wrong (400): the message names the field, its value and the rule. */
  public static final class InvalidRequest extends GenerationException {
    public InvalidRequest(String message) {
      super(message);
    }
  }

  /** The queue or the KV cache is full now (503 with Retry-After). */
  public static final class Busy extends GenerationException {
    public Busy(String message) {
      super(message);
    }
  }

  /** The request's deadline passed (504, or an error event mid-stream). */
  public static final class DeadlineExceeded extends GenerationException {
    public DeadlineExceeded(String message) {
      super(message);
    }
  }

  /** The model failed to run a step (500, or an error event mid-stream). */
  public static final class EngineFailure extends GenerationException {
    public EngineFailure(String message) {
      super(message);
    }
  }
}
