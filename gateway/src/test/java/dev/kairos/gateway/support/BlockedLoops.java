package dev.kairos.gateway.support;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Collects Vert.x's blocked-thread warnings about event loops (logger {@code
 * io.vertx.core.impl.BlockedThreadChecker}, wired in {@code logback-test.xml}); {@link
 * NoBlockedEventLoops} fails the test that caused one. Warnings about worker threads are not
 * collected: blocking there is what workers are for.
 */
public final class BlockedLoops extends AppenderBase<ILoggingEvent> {
  private static final ConcurrentLinkedQueue<String> REPORTS = new ConcurrentLinkedQueue<>();

  @Override
  protected void append(ILoggingEvent event) {
    String message = event.getFormattedMessage();
    if (message != null && message.contains("eventloop")) {
      REPORTS.add(message);
    }
  }

  /** The warnings since the last call, and forgets them. */
  public static List<String> drain() {
    List<String> out = new ArrayList<>();
    for (String s; (s = REPORTS.poll()) != null; ) {
      out.add(s);
    }
    return out;
  }
}
