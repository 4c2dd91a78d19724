package dev.kairos.gateway.support;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Collects Vert.x's blocked-thread warnings about event loops (logger {@code
 * io.vertx.core.impl.BlockedThreadChecker}, wired in {@code logback-test.xml}) of the Vert.x
 * instances made by {@link TestVertx}; {@link NoBlockedEventLoops} fails the test that caused one.
 *
 * <p>Not collected: worker threads (blocking is what they are for), Vert.x instances with other
 * limits (a client library's own), and a loop caught warming up (loading classes, linking lambdas):
 * the JVM starting on a loaded machine, not code that blocks.
 */
public final class BlockedLoops extends AppenderBase<ILoggingEvent> {
  private static final ConcurrentLinkedQueue<String> REPORTS = new ConcurrentLinkedQueue<>();

  @Override
  protected void append(ILoggingEvent event) {
    String message = event.getFormattedMessage();
    if (message == null
        || !message.contains("eventloop")
        || !message.contains("time limit is " + TestVertx.MAX_EVENT_LOOP_MILLIS + " ms")) {
      return;
    }
    List<String> frames = new ArrayList<>();
    IThrowableProxy t = event.getThrowableProxy();
    if (t != null) {
      for (StackTraceElementProxy f : t.getStackTraceElementProxyArray()) {
        frames.add(f.getSTEAsString());
      }
    }
    if (!warmingUp(frames)) {
      REPORTS.add(message + (frames.isEmpty() ? "" : " at " + frames.get(0)));
    }
  }

  /**
   * Whether the loop was caught warming up: loading a class, or linking a lambda or string
   * concatenation (method handles at the top). On a loaded machine the first requests on a loop can
   * take that long; that is the JVM starting, not code that blocks.
   */
  static boolean warmingUp(List<String> frames) {
    for (int i = 0; i < Math.min(30, frames.size()); i++) {
      String f = frames.get(i);
      if (f.contains("ClassLoader.defineClass")
          || f.contains("ClassLoader.loadClass(")
          || (i < 5 && f.contains("java.lang.invoke."))) {
        return true;
      }
    }
    return false;
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
