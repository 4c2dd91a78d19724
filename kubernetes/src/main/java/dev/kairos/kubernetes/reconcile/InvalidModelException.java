package dev.kairos.kubernetes.reconcile;

/** A Model whose spec cannot be served; the message names the field and the rule. */
public final class InvalidModelException extends RuntimeException {
  public InvalidModelException(String message) {
    super(message, null, false, false);
  }
}
