package dev.keel.it;

import dev.keel.config.CoreOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.keel.testing.LogGuard;
import dev.keel.testing.Running;
import dev.keel.testing.Servers;
import dev.keel.testing.TcpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Many clients failing at once write a handful of lines and a summary, not a line each. */
class AbnormalCloseLogIT {
  private static final int CLIENTS = 300;
  private static final Pattern SUMMARY = Pattern.compile("^(\\d+) more abnormal closes");

  @Test
  void aStormOfAbnormalClosesIsLoggedAsAFewLinesAndASummary() {
    Logger closeLog = (Logger) LogGuard.unwrap(LoggerFactory.getLogger("dev.keel.close"));
    Level previous = closeLog.getLevel();
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    closeLog.addAppender(captured);
    closeLog.setLevel(Level.INFO);
    List<TcpClient> clients = new ArrayList<>();
    try (Running server = Servers.start(b -> b.set(CoreOptions.HANDSHAKE_TIMEOUT, Duration.ofMillis(300)))) {
      for (int i = 0; i < CLIENTS; i++) {
        clients.add(TcpClient.connect(server.tcpPort())); // and never send a first frame
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> accounted(captured) == CLIENTS);
      List<ILoggingEvent> events;
      synchronized (captured) {
        events = List.copyOf(captured.list);
      }
      long perConnection = events.stream().filter(e -> e.getLevel() == Level.INFO).count();
      assertThat(perConnection).as("per-connection lines are capped per second").isLessThan(CLIENTS / 2);
      ILoggingEvent line = events.stream().filter(e -> e.getLevel() == Level.INFO).findFirst().orElseThrow();
      assertThat(line.getFormattedMessage()).as("a per-connection line names reason, connection and age")
          .contains("closed: handshake_timeout").contains("connection ").contains("age ").contains("bytes queued");
      assertThat(events.stream().anyMatch(e -> e.getLevel() == Level.WARN
          && e.getFormattedMessage().contains("handshake_timeout=")))
          .as("the summary counts the rest by reason").isTrue();
    } finally {
      clients.forEach(TcpClient::close);
      closeLog.detachAppender(captured);
      closeLog.setLevel(previous);
    }
  }

  /** Closes logged one by one plus those the summaries counted. */
  private static long accounted(ListAppender<ILoggingEvent> captured) {
    long n = 0;
    List<ILoggingEvent> events;
    synchronized (captured) { // AppenderBase.doAppend holds this lock while appending
      events = List.copyOf(captured.list);
    }
    for (ILoggingEvent e : events) {
      Matcher m = SUMMARY.matcher(e.getFormattedMessage());
      if (m.find()) {
        n += Long.parseLong(m.group(1));
      } else if (e.getLevel() == Level.INFO) {
        n++;
      }
    }
    return n;
  }
}
