package dev.kairos.runtime.server;

import dev.kairos.multiplexer.arbiter.SliceRejectedException;
import dev.kairos.runtime.core.DeadlineExceededException;
import dev.kairos.runtime.core.NotReadyException;
import dev.kairos.runtime.core.OverloadedException;
import dev.kairos.runtime.core.UnknownModelException;
import dev.kairos.sdk.oip.InvalidInputException;
import java.util.concurrent.CompletionException;

/** The one place where the runtime's exceptions become HTTP status codes. */
final class HttpErrors {
  private HttpErrors() {}

  static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  static int status(Throwable t) {
    if (t instanceof InvalidInputException) {
      return 400;
    }
    if (t instanceof UnknownModelException) {
      return 404;
    }
    if (t instanceof PayloadTooLargeException) {
      return 413;
    }
    if (t instanceof OverloadedException
        || t instanceof NotReadyException
        || t instanceof SliceRejectedException) {
      return 503;
    }
    if (t instanceof DeadlineExceededException) {
      return 504;
    }
    return 500;
  }
}
