package dev.keel.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

class ServerLoggingTest {
  private final LoggerContext context = new LoggerContext();

  @AfterEach
  void stop() {
    context.stop();
  }

  @Test
  void withoutAConfigurationFile_logsToStderrThroughANeverBlockingQueue_atTheShippedLevels() {
    ExecutionStatus status = new ServerLogging(name -> false, null).configure(context);

    assertThat(status).as("logback's XML configurator is not run after it").isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(root.getLevel()).isEqualTo(Level.INFO);
    assertThat(context.getLogger("io.netty").getLevel()).isEqualTo(Level.WARN);
    assertThat(context.getLogger("io.lettuce.core.resource.Transports").getLevel()).isEqualTo(Level.ERROR);
    assertThat(context.getLogger("dev.keel").getEffectiveLevel()).isEqualTo(Level.INFO);

    List<Appender<ILoggingEvent>> rootAppenders = new ArrayList<>();
    root.iteratorForAppenders().forEachRemaining(rootAppenders::add);
    assertThat(rootAppenders).hasSize(1);
    AsyncAppender async = (AsyncAppender) rootAppenders.get(0);
    assertThat(async.isStarted()).isTrue();
    assertThat(async.isNeverBlock()).as("a full queue drops, never blocks an event loop").isTrue();
    assertThat(async.getQueueSize()).isEqualTo(ServerLogging.QUEUE_SIZE);
    assertThat(async.getDiscardingThreshold()).as("no level is dropped early").isZero();

    ConsoleAppender<ILoggingEvent> stderr = (ConsoleAppender<ILoggingEvent>) async.getAppender("STDERR");
    assertThat(stderr).isNotNull();
    assertThat(stderr.isStarted()).isTrue();
    assertThat(stderr.getTarget()).isEqualTo("System.err");
    assertThat(((PatternLayoutEncoder) stderr.getEncoder()).getPattern()).isEqualTo(ServerLogging.PATTERN);
  }

  @Test
  void aLogbackXmlOrTestXmlOnTheClassPath_isLeftToLogback() {
    for (String file : Set.of("logback.xml", "logback-test.xml")) {
      ExecutionStatus status = new ServerLogging(file::equals, null).configure(context);

      assertThat(status).as(file).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
      assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext()).as(file).isFalse();
    }
  }

  @Test
  void aNamedConfigurationFile_isLeftToLogback() {
    ExecutionStatus status = new ServerLogging(name -> false, "/etc/keel/logback.xml").configure(context);

    assertThat(status).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
    assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext()).isFalse();
  }
}
