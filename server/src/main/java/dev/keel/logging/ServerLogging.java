package dev.keel.logging;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.function.Predicate;
import org.slf4j.Logger;

/**
 * keel-server's logging, set up in code rather than from a {@code logback.xml}: the same appenders and
 * levels, without loading logback's XML configurator (Joran), its model classes and the JDK's XML
 * parser. Those were about 650 of the server's 2,600 application classes, metaspace and code cache
 * that every server carried for one parse at start (docs/benchmarks.md, round 10).
 *
 * <p>What it sets up: log lines go to stderr through a bounded queue ({@value #QUEUE_SIZE} lines) that
 * drops rather than waits when full, because event loops log (a slow consumer cut off, an idle peer
 * closed) and must never block on stderr. Root at INFO, Netty at WARN, and Lettuce's note that it
 * found both native transports (Keel carries both on purpose) at ERROR.
 *
 * <p>A logging configuration of one's own still wins: with {@code -Dlogback.configurationFile=...}, or a
 * {@code logback.xml} or {@code logback-test.xml} on the class path, this configurator steps aside and
 * logback reads that file as usual (docs/deployment.md).
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class ServerLogging extends ContextAwareBase implements Configurator {
  static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n";
  static final int QUEUE_SIZE = 8192;
  static final String[] CONFIG_FILES = {"logback-test.xml", "logback.xml"};

  private final Predicate<String> resourceExists;
  private final String configurationFile;

  /** As logback's service loader makes it: looks at this JVM's class path and system properties. */
  public ServerLogging() {
    this(name -> ServerLogging.class.getClassLoader().getResource(name) != null,
        System.getProperty("logback.configurationFile"));
  }

  ServerLogging(Predicate<String> resourceExists, String configurationFile) {
    this.resourceExists = resourceExists;
    this.configurationFile = configurationFile;
  }

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (configurationFile != null && !configurationFile.isBlank()) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY; // the operator named a file: logback reads it
    }
    for (String file : CONFIG_FILES) {
      if (resourceExists.test(file)) {
        return ExecutionStatus.INVOKE_NEXT_IF_ANY;
      }
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

    AsyncAppender async = new AsyncAppender();
    async.setContext(context);
    async.setName("ASYNC");
    async.setQueueSize(QUEUE_SIZE);
    async.setDiscardingThreshold(0); // every level is kept while there is room
    async.setNeverBlock(true); // and dropped, not waited for, when there is none
    async.addAppender(stderr);
    async.start();

    context.getLogger("io.netty").setLevel(Level.WARN);
    context.getLogger("io.lettuce.core.resource.Transports").setLevel(Level.ERROR);
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(async);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
