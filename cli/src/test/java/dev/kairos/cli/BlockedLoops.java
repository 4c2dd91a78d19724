package dev.kairos.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Collects Vert.x's blocked-thread warnings about event loops held past the limit {@code kairos
 * serve} sets ({@link ServeCommand#vertxOptions()}): of this JVM (logger {@code
 * io.vertx.core.impl.BlockedThreadChecker}, wired in {@code logback-test.xml}) and of the {@code
 * kairos serve} processes tests start ({@link KairosProcess} reads their logs through a {@link
 * Log}); {@link NoBlockedEventLoops} fails the test that caused one.
 *
 * <p>Not collected: worker threads (blocking is what they are for), replica runtimes (they keep
 * Vert.x's own limit, and their start-up warm-up runs on a loop), and a loop caught warming up
 * (loading classes, linking lambdas): the JVM starting on a loaded machine, not code that blocks.
 */
public final class BlockedLoops extends AppenderBase<ILoggingEvent> {
  private static final ConcurrentLinkedQueue<String> REPORTS = new ConcurrentLinkedQueue<>();
  private static final String LIMIT = "time limit is " + ServeCommand.MAX_EVENT_LOOP_MILLIS + " ms";

  @Override
  protected void append(ILoggingEvent event) {
    List<String> frames = new ArrayList<>();
    IThrowableProxy t = event.getThrowableProxy();
    if (t != null) {
      for (StackTraceElementProxy f : t.getStackTraceElementProxyArray()) {
        frames.add(f.getSTEAsString());
      }
    }
    report(event.getFormattedMessage(), frames);
  }

  private static boolean isReport(String line) {
    return line != null
        && line.contains("has been blocked for")
        && line.contains("eventloop")
        && line.contains(LIMIT);
  }

  private static void report(String message, List<String> frames) {
    if (isReport(message) && !warmingUp(frames)) {
      REPORTS.add(message + (frames.isEmpty() ? "" : " at " + frames.get(0).trim()));
    }
  }

  /**
   * Whether the loop was caught warming up: loading a class, or linking a lambda or string
   * concatenation (method handles at the top). On a loaded machine the first requests on a loop can
   * take that long; that is the JVM starting, not code that blocks.
   */
  private static boolean warmingUp(List<String> frames) {
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

  /** Reads another process's log line by line: a warning, then the stack Vert.x logs with it. */
  static final class Log {
    private String pending;
    private final List<String> frames = new ArrayList<>();

    void line(String line) {
      if (pending != null && (line.startsWith("\t") || line.startsWith("io.vertx.core."))) {
        if (line.trim().startsWith("at ")) {
          frames.add(line);
        }
        return;
      }
      end();
      if (isReport(line)) {
        pending = line;
      }
    }

    /** The log ended (or moved on): the warning read last is complete. */
    void end() {
      if (pending != null) {
        report(pending, List.copyOf(frames));
      }
      pending = null;
      frames.clear();
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
