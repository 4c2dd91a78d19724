package dev.kairos.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Collects Vert.x's blocked-thread warnings about event loops: of this JVM (logger {@code
 * io.vertx.core.impl.BlockedThreadChecker}, wired in {@code logback-test.xml}) and of the {@code
 * kairos serve} processes tests start ({@link KairosProcess} reads their logs); {@link
 * NoBlockedEventLoops} fails the test that caused one. Warnings about worker threads are not
 * collected: blocking there is what workers are for.
 */
public final class BlockedLoops extends AppenderBase<ILoggingEvent> {
  private static final ConcurrentLinkedQueue<String> REPORTS = new ConcurrentLinkedQueue<>();

  @Override
  protected void append(ILoggingEvent event) {
    String message = event.getFormattedMessage();
    report(message);
  }

  /** Takes a log line; keeps it if it is a blocked-thread warning about an event loop. */
  static void report(String line) {
    if (line != null && line.contains("has been blocked for") && line.contains("eventloop")) {
      REPORTS.add(line);
    }
  }

  /** The warnings since the last call, and forgets them. */
  static List<String> drain() {
    List<String> out = new ArrayList<>();
    for (String s; (s = REPORTS.poll()) != null; ) {
      out.add(s);
    }
    return out;
  }
}
