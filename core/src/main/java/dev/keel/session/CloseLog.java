package dev.keel.session;

import java.util.EnumMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per abnormal close (reason, connection, remote, age, queued bytes), at most
 * {@link #LINES_PER_SECOND} a second: past that, closes are counted by reason and a one-line summary
 * follows a second later, so that 10,000 clients failing at once write a summary, not 10,000 lines.
 * Normal closes (the client's own, a shutdown) are logged at debug.
 *
 * <p>Thread-safe and lock-free: event loops call it as connections end.
 */
final class CloseLog {
  static final int LINES_PER_SECOND = 20;
  private static final Logger log = LoggerFactory.getLogger("dev.keel.close");
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private static final AtomicLong window = new AtomicLong(Long.MIN_VALUE);
  private static final AtomicInteger linesInWindow = new AtomicInteger();
  private static final Map<CloseCause, LongAdder> suppressed = new EnumMap<>(CloseCause.class);
  private static final AtomicBoolean summaryScheduled = new AtomicBoolean();

  static {
    for (CloseCause r : CloseCause.values()) {
      suppressed.put(r, new LongAdder());
    }
  }

  private CloseLog() {}

  static void ended(Session s, CloseCause reason, long ageNanos, long queuedBytes) {
    if (reason == CloseCause.CLIENT || reason == CloseCause.SHUTDOWN) {
      if (log.isDebugEnabled()) {
        log.debug("{} closed: {} (age {} ms)", s, reason.label(), ageNanos / 1_000_000);
      }
      return;
    }
    if (!log.isInfoEnabled()) {
      return;
    }
    long now = System.nanoTime() / SECOND;
    long w = window.get();
    if (now != w && window.compareAndSet(w, now)) {
      linesInWindow.set(0);
    }
    if (linesInWindow.incrementAndGet() <= LINES_PER_SECOND) {
      log.info("{} closed: {} (age {} ms, {} bytes queued)", s, reason.label(), ageNanos / 1_000_000,
          queuedBytes);
      return;
    }
    suppressed.get(reason).increment();
    if (summaryScheduled.compareAndSet(false, true)) {
      // A server-wide one-shot task, not a per-connection timer: it writes the summary once.
      try {
        s.eventLoop().schedule(CloseLog::summarize, 1, TimeUnit.SECONDS);
      } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
        summarize();
      }
    }
  }

  private static void summarize() {
    summaryScheduled.set(false);
    StringJoiner byReason = new StringJoiner(", ");
    long total = 0;
    for (Map.Entry<CloseCause, LongAdder> e : suppressed.entrySet()) {
      long n = e.getValue().sumThenReset();
      if (n > 0) {
        byReason.add(e.getKey().label() + "=" + n);
        total += n;
      }
    }
    if (total > 0) {
      log.warn("{} more abnormal closes not logged one by one ({}/s limit): {}", total, LINES_PER_SECOND, byReason);
    }
  }
}
