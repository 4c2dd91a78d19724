package dev.kairos.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;

/**
 * The logging of every Kairos process (the CLI, {@code kairos serve}, its replicas), set up in
 * code: one line per event on standard error ({@code HH:mm:ss.SSS LEVEL [thread] logger -
 * message}), Netty and Vert.x at WARN, everything else at {@code KAIROS_LOG_LEVEL} (a system
 * property or an environment variable; default INFO). Standard output is left to the CLI's answers
 * and a replica's ready line.
 *
 * <p>Logback finds this class through {@code META-INF/services} before it looks for {@code
 * logback.xml}. Reading the same configuration from XML costs a fresh process a noticeable share of
 * its way to its first answer (an XML parser, Joran's rules and model); a replica pays it on every
 * start. {@code logback.xml} beside this class is the same configuration written out, which Logback
 * reads when this class steps aside: when {@code -Dlogback.configurationFile} names another file,
 * or a {@code logback-test.xml} is on the class path (tests).
 */
public final class ConsoleLogging extends ContextAwareBase implements Configurator {
  static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n";
  static final String LEVEL_VARIABLE = "KAIROS_LOG_LEVEL";

  private final UnaryOperator<String> systemProperties;
  private final Function<String, String> environment;
  private final Function<String, Boolean> onClassPath;

  /** As Logback's service loader makes it: this JVM's properties, environment and class path. */
  public ConsoleLogging() {
    this(
        System::getProperty,
        System::getenv,
        name -> ConsoleLogging.class.getClassLoader().getResource(name) != null);
  }

  ConsoleLogging(
      UnaryOperator<String> systemProperties,
      Function<String, String> environment,
      Function<String, Boolean> onClassPath) {
    this.systemProperties = systemProperties;
    this.environment = environment;
    this.onClassPath = onClassPath;
  }

  /** For tests: the properties and environment given, and no {@code logback-test.xml}. */
  static ConsoleLogging with(Map<String, String> properties, Map<String, String> env) {
    return new ConsoleLogging(properties::get, env::get, name -> false);
  }

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (systemProperties.apply("logback.configurationFile") != null
        || onClassPath.apply("logback-test.xml")) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(level(), Level.INFO));
    root.addAppender(stderr);
    context.getLogger("io.netty").setLevel(Level.WARN);
    context.getLogger("io.vertx").setLevel(Level.WARN);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** {@code KAIROS_LOG_LEVEL}: the system property first, then the environment, as in the XML. */
  private String level() {
    String v = systemProperties.apply(LEVEL_VARIABLE);
    if (v == null || v.isBlank()) {
      v = environment.apply(LEVEL_VARIABLE);
    }
    return v == null || v.isBlank() ? "INFO" : v.trim();
  }
}
