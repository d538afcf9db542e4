package dev.keel.testing;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects Netty's "LEAK:" reports (logged by ResourceLeakDetector) so that
 * {@link LeakReportExtension} can fail the test run on any of them.
 */
public final class LeakReportAppender extends AppenderBase<ILoggingEvent> {
  private static final List<String> REPORTS = new CopyOnWriteArrayList<>();

  @Override
  protected void append(ILoggingEvent event) {
    String message = event.getFormattedMessage();
    if (message != null && message.contains("LEAK:")) {
      REPORTS.add(message);
    }
  }

  static List<String> reports() {
    return REPORTS;
  }
}
