package dev.kairos.multiplexer.arbiter;

/** The arbiter refused a slice: the batch could not meet its deadline. Answered 503. */
public class SliceRejectedException extends RuntimeException {
  public SliceRejectedException(String message) {
    super(message, null, false, false);
  }
}
