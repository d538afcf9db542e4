package dev.keel.session;

import io.netty.channel.Channel;
import io.netty.util.concurrent.EventExecutor;
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
 * <p>Connections that never became a session go through the same limit: refusals at accept (which
 * limit, which address), HTTP connections closed for a bad request or a deadline, and unexpected
 * exceptions. No line carries a stack trace: bad input is the client's, and its trace says nothing; an
 * unexpected exception's trace goes to debug.
 *
 * <p>Thread-safe and lock-free: event loops call it as connections end.
 */
public final class CloseLog {
  static final int LINES_PER_SECOND = 20;
  private static final Logger log = LoggerFactory.getLogger("dev.keel.close");
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private static final AtomicLong window = new AtomicLong(Long.MIN_VALUE);
  private static final AtomicInteger linesInWindow = new AtomicInteger();
  private static final Map<CloseCause, LongAdder> suppressed = new EnumMap<>(CloseCause.class);
  private static final LongAdder suppressedUnexpected = new LongAdder();
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
    if (admit()) {
      log.info("{} closed: {} (age {} ms, {} bytes queued)", s, reason.label(), ageNanos / 1_000_000,
          queuedBytes);
      return;
    }
    suppress(reason, s.eventLoop());
  }

  /**
   * A connection that is no session closed for {@code reason}: refused at accept, an HTTP connection
   * closed for a bad request or a deadline. {@code detail} says what was counted and why, in words.
   */
  public static void closed(Channel ch, String transport, CloseCause reason, String detail) {
    if (!log.isInfoEnabled()) {
      return;
    }
    if (admit()) {
      log.info("{} {} closed: {} ({})", transport, ch.remoteAddress(), reason.label(), detail);
      return;
    }
    suppress(reason, ch.eventLoop());
  }

  /**
   * An exception no handler expected: one WARN line with its class and message, within the limit;
   * the stack trace at debug (a bug is found with it, a flood is not logged with it).
   */
  public static void unexpected(Object who, Throwable cause, EventExecutor loop) {
    if (log.isDebugEnabled()) {
      log.debug("{}: unexpected error", who, cause);
    }
    if (admit()) {
      log.warn("{}: unexpected error: {} (closing; the stack trace is logged at debug for dev.keel.close)", who,
          String.valueOf(cause));
      return;
    }
    suppressedUnexpected.increment();
    scheduleSummary(loop);
  }

  private static boolean admit() {
    long now = System.nanoTime() / SECOND;
    long w = window.get();
    if (now != w && window.compareAndSet(w, now)) {
      linesInWindow.set(0);
    }
    return linesInWindow.incrementAndGet() <= LINES_PER_SECOND;
  }

  private static void suppress(CloseCause reason, EventExecutor loop) {
    suppressed.get(reason).increment();
    scheduleSummary(loop);
  }

  private static void scheduleSummary(EventExecutor loop) {
    if (summaryScheduled.compareAndSet(false, true)) {
      // A server-wide one-shot task, not a per-connection timer: it writes the summary once.
      try {
        loop.schedule(CloseLog::summarize, 1, TimeUnit.SECONDS);
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
    long unexpected = suppressedUnexpected.sumThenReset();
    if (unexpected > 0) {
      byReason.add("unexpected_error=" + unexpected);
      total += unexpected;
    }
    if (total > 0) {
      log.warn("{} more abnormal closes not logged one by one ({}/s limit): {}", total, LINES_PER_SECOND, byReason);
    }
  }
}
