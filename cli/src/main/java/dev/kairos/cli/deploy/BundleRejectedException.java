package dev.kairos.cli.deploy;

/** A deploy bundle was refused; {@link #status()} is the HTTP status to answer with. */
public final class BundleRejectedException extends RuntimeException {
  private final int status;

  public BundleRejectedException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
