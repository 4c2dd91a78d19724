package dev.kairos.gateway.admin;

/** A refusal of the admin API with the HTTP status it is answered with. */
public class AdminException extends RuntimeException {
  private final int status;

  public AdminException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public int status() {
    return status;
  }

  public static AdminException notFound(String message) {
    return new AdminException(404, message);
  }

  public static AdminException badRequest(String message) {
    return new AdminException(400, message);
  }

  public static AdminException conflict(String message) {
    return new AdminException(409, message);
  }
}
