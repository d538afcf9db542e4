package dev.keel.engine;

import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.fanout.HistoryTrim;
import dev.keel.fanout.TopicRegistry;
import dev.keel.limit.MemoryBudget;
import dev.keel.limit.OverloadStages;
import dev.keel.limit.Stage;
import dev.keel.session.CloseCause;
import dev.keel.session.Session;
import dev.keel.session.Sessions;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The memory budget's one evaluator: a task on the accept loop (never on a connection's loop) that,
 * every {@code memory-check-interval}, sums the accounting, reads the heap and direct-memory levels,
 * moves the stage, and acts on a change:
 * <ul>
 *   <li>into {@code high}: nothing here, the hot paths read the stage (accepts are refused, senders
 *       pause themselves after their next message, HTTP publishes get 503);
 *   <li>into {@code shed}, and at each check while it lasts: first topic history is dropped, largest
 *       first (TopicRegistry#trimForBudget); if that does not cover the excess, a shed round, which asks every loop for
 *       what its connections hold, then closes the largest holders until the excess over the high
 *       mark is covered (Envoy's overload manager resets the biggest consumers first, too);
 *   <li>back to {@code normal}: every loop resumes the connections the stage paused.
 * </ul>
 * One log line per stage change. No connection's loop ever waits for the evaluator, nor it for them.
 */
final class OverloadControl implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(OverloadControl.class);

  private final MemoryBudget budget;
  private final OverloadStages stages;
  private final MemoryPressure pressure;
  private final Sessions sessions;
  private final TopicRegistry topics;
  private final Ticker ticker;
  private final long intervalNanos;
  /** A shed round is under way: the next one waits for it (and for the memory it frees). */
  private final AtomicBoolean shedding = new AtomicBoolean();
  private EventExecutor executor;
  private ScheduledFuture<?> task;

  OverloadControl(KeelConfig config, MemoryBudget budget, MemoryPressure pressure, Sessions sessions,
      TopicRegistry topics, Ticker ticker) {
    this.budget = budget;
    this.stages = new OverloadStages(budget.budget(), config.get(CoreOptions.MEMORY_HIGH_MARK),
        config.get(CoreOptions.MEMORY_SHED_MARK), config.get(CoreOptions.MEMORY_RESUME_MARK),
        config.get(CoreOptions.MEMORY_STAGE_DWELL).toNanos());
    this.pressure = pressure;
    this.sessions = sessions;
    this.topics = topics;
    this.ticker = ticker;
    this.intervalNanos = config.get(CoreOptions.MEMORY_CHECK_INTERVAL).toNanos();
  }

  void start(EventExecutor on) {
    executor = on;
    task = on.scheduleAtFixedRate(this, intervalNanos, intervalNanos, TimeUnit.NANOSECONDS);
    pressure.listen(() -> {
      try {
        on.execute(this); // a collection left the heap above its threshold: look now
      } catch (RejectedExecutionException stopping) {
        // the server is stopping
      }
    });
  }

  void stop() {
    pressure.close();
    if (task != null) {
      task.cancel(false);
    }
  }

  @Override
  public void run() {
    pressure.sample();
    long accounted = budget.total();
    Stage before = stages.stage();
    Stage now = stages.next(ticker.nanoTime(), accounted, pressure.high(), pressure.critical());
    budget.stage(now);
    if (now != before) {
      log.warn("memory stage {} -> {}: {} accounted of a {} budget ({}), heap after GC {}%, direct {}%",
          before.label(), now.label(), mib(accounted), mib(budget.budget()),
          breakdown(), pressure.heapPercent(), pressure.directPercent());
      if (now == Stage.NORMAL) {
        forEachLoop(Session::overloadEnded);
      }
    }
    if (now == Stage.SHED && shedding.compareAndSet(false, true)) {
      // Whichever asks more: the accounting over its high mark, or heap / direct memory over theirs
      // (memory the accounting does not see, or sees only in part). At least the largest holder goes.
      long excess = Math.max(1, Math.max(stages.excessOverHigh(accounted), pressure.excessOverHigh()));
      // History first: it is the one holding no client is waiting on right now.
      HistoryTrim.Result cut = topics.trimForBudget(excess);
      if (cut.topics() > 0) {
        log.warn("memory shed: dropped the history of {} topics ({}) of {} over the high mark", cut.topics(),
            mib(cut.freedBytes()), mib(excess));
      }
      if (cut.freedBytes() >= excess) {
        executor.schedule(() -> shedding.set(false), intervalNanos, TimeUnit.NANOSECONDS);
      } else {
        shed(excess - cut.freedBytes());
      }
    }
  }

  /** Bytes as MiB with one decimal, for the log: exact byte counts are in the metrics. */
  private static String mib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1fMiB", bytes / 1048576.0);
  }

  private String breakdown() {
    StringBuilder b = new StringBuilder();
    for (MemoryBudget.Kind k : MemoryBudget.Kind.values()) {
      long v = budget.held(k);
      if (v != 0) {
        b.append(b.isEmpty() ? "" : ", ").append(k.label()).append(' ').append(mib(v));
      }
    }
    return b.isEmpty() ? "nothing" : b.toString();
  }

  /** One holder's size, as its own loop read it. */
  record Holder<T>(T who, long bytes) {}

  /**
   * The holders to close: the largest first, as few as cover {@code excess} bytes (all of them if
   * even that does not). Ties keep their given order.
   */
  static <T> List<Holder<T>> largestCovering(List<Holder<T>> holders, long excess) {
    List<Holder<T>> sorted = new ArrayList<>(holders);
    sorted.sort(Comparator.comparingLong((Holder<T> h) -> h.bytes()).reversed());
    List<Holder<T>> chosen = new ArrayList<>();
    long freed = 0;
    for (Holder<T> h : sorted) {
      if (freed >= excess) {
        break;
      }
      chosen.add(h);
      freed += h.bytes();
    }
    return chosen;
  }

  /**
   * Asks each loop for what its connections hold (each reads its own, loop-confined, state), and when
   * the last has answered, closes the largest until {@code excess} bytes are covered.
   */
  private void shed(long excess) {
    Map<EventLoop, List<Session>> byLoop = byLoop();
    if (byLoop.isEmpty()) {
      shedding.set(false);
      return;
    }
    ConcurrentLinkedQueue<Holder<Session>> holders = new ConcurrentLinkedQueue<>();
    AtomicInteger remaining = new AtomicInteger(byLoop.size());
    byLoop.forEach((loop, list) -> run(loop, () -> {
      for (Session s : list) {
        if (s.isOpen()) {
          holders.add(new Holder<>(s, s.accountedBytes()));
        }
      }
      if (remaining.decrementAndGet() == 0) {
        closeLargest(new ArrayList<>(holders), excess);
      }
    }, remaining));
  }

  private void closeLargest(List<Holder<Session>> holders, long excess) {
    List<Holder<Session>> chosen = largestCovering(holders, excess);
    long freed = 0;
    for (Holder<Session> h : chosen) {
      freed += h.bytes();
      budget.count(MemoryBudget.Action.CLOSED);
      Session s = h.who();
      run(s.eventLoop(), () -> s.close(CloseCause.OVERLOADED), null);
    }
    log.warn("memory shed: closing {} of {} connections, holding {} (largest {}), to free {} over the high mark",
        chosen.size(), holders.size(), mib(freed), chosen.isEmpty() ? "-" : mib(chosen.get(0).bytes()), mib(excess));
    // The next round (if still needed) comes at a later check, once these closes have freed their share.
    executor.schedule(() -> shedding.set(false), intervalNanos, TimeUnit.NANOSECONDS);
  }

  private Map<EventLoop, List<Session>> byLoop() {
    Map<EventLoop, List<Session>> byLoop = new HashMap<>();
    for (Session s : sessions.all()) {
      byLoop.computeIfAbsent(s.eventLoop(), l -> new ArrayList<>()).add(s);
    }
    return byLoop;
  }

  private void forEachLoop(java.util.function.Consumer<Session> action) {
    byLoop().forEach((loop, list) -> run(loop, () -> list.forEach(action), null));
  }

  /** Runs on {@code loop}; if it has stopped, counts the round down so it still completes. */
  private void run(EventLoop loop, Runnable r, AtomicInteger round) {
    try {
      loop.execute(r);
    } catch (RejectedExecutionException stopping) {
      if (round != null && round.decrementAndGet() == 0) {
        shedding.set(false);
      }
    }
  }
}
