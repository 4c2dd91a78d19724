package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

class ConsoleLoggingTest {

  @Test
  void shouldLogToStandardErrorWithNettyAndVertxAtWarn() {
    LoggerContext context = new LoggerContext();
    ExecutionStatus status = ConsoleLogging.with(Map.of(), Map.of()).configure(context);

    assertThat(status).isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
    assertThat(describe(context))
        .isEqualTo(
            new Setup("System.err", ConsoleLogging.PATTERN, Level.INFO, Level.WARN, Level.WARN));
  }

  @Test
  void shouldTakeTheLevelFromKairosLogLevelThePropertyBeforeTheEnvironment() {
    LoggerContext fromEnv = new LoggerContext();
    ConsoleLogging.with(Map.of(), Map.of("KAIROS_LOG_LEVEL", "DEBUG")).configure(fromEnv);
    LoggerContext fromProperty = new LoggerContext();
    ConsoleLogging.with(Map.of("KAIROS_LOG_LEVEL", "WARN"), Map.of("KAIROS_LOG_LEVEL", "DEBUG"))
        .configure(fromProperty);

    assertThat(fromEnv.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.DEBUG);
    assertThat(fromProperty.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.WARN);
  }

  @Test
  void shouldStepAsideWhenAConfigurationFileIsNamed() {
    LoggerContext context = new LoggerContext();
    ExecutionStatus status =
        ConsoleLogging.with(
                Map.of("logback.configurationFile", "/etc/kairos/logback.xml"), Map.of())
            .configure(context);

    assertThat(status).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
    assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext())
        .isFalse();
  }

  @Test
  void shouldStepAsideForALogbackTestXmlOnTheClassPath() {
    // this module's tests have one: it is what they log with
    LoggerContext context = new LoggerContext();

    assertThat(new ConsoleLogging().configure(context))
        .isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
  }

  @Test
  void shouldBeWhatLogbackFindsFirst() {
    List<Class<?>> found = new ArrayList<>();
    for (Configurator c : ServiceLoader.load(Configurator.class)) {
      found.add(c.getClass());
    }
    assertThat(found).containsExactly(ConsoleLogging.class);
  }

  @Test
  void shouldSetUpWhatLogbackXmlSays() throws Exception {
    LoggerContext fromXml = new LoggerContext();
    JoranConfigurator joran = new JoranConfigurator();
    joran.setContext(fromXml);
    joran.doConfigure(ConsoleLogging.class.getResource("/logback.xml"));
    LoggerContext inCode = new LoggerContext();
    ConsoleLogging.with(Map.of(), Map.of()).configure(inCode);

    assertThat(describe(inCode)).isEqualTo(describe(fromXml));
  }

  private record Setup(String target, String pattern, Level root, Level netty, Level vertx) {}

  private static Setup describe(LoggerContext context) {
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    Iterator<Appender<ILoggingEvent>> appenders = root.iteratorForAppenders();
    ConsoleAppender<ILoggingEvent> console = (ConsoleAppender<ILoggingEvent>) appenders.next();
    assertThat(appenders.hasNext()).as("one appender").isFalse();
    assertThat(console.isStarted()).isTrue();
    return new Setup(
        console.getTarget(),
        ((PatternLayoutEncoder) console.getEncoder()).getPattern(),
        root.getLevel(),
        context.getLogger("io.netty").getLevel(),
        context.getLogger("io.vertx").getLevel());
  }
}
