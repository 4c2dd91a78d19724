package dev.kairos.cli;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test during which an event loop, in this JVM or in a {@code kairos serve} it started, was
 * reported blocked for longer than Vert.x's limit ({@code kairos serve} sets one that a blocking
 * call of about a second exceeds). Registered for every test of this module
 * (junit-platform.properties, autodetection).
 */
public final class NoBlockedEventLoops implements AfterEachCallback, AfterAllCallback {
  @Override
  public void afterEach(ExtensionContext context) {
    check();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    check();
  }

  private static void check() {
    List<String> reports = BlockedLoops.drain();
    if (!reports.isEmpty()) {
      throw new AssertionError("an event loop was blocked: " + String.join("; ", reports));
    }
  }
}
