package dev.keel.admin;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Measures how late each event loop runs a task: every {@link #PERIOD_MS} ms a no-op is scheduled on
 * each loop, and the delay between when it was due and when it ran is its lag. A loop that is blocked
 * or overloaded shows it here before clients notice. Exported as {@code keel_event_loop_lag_seconds}.
 *
 * <p>One server-wide task per loop (not per connection), cancelled by {@link #close()}.
 */
final class EventLoopLag implements AutoCloseable {
  static final long PERIOD_MS = 100;

  private final List<Probe> probes = new ArrayList<>();

  EventLoopLag(EventLoopGroup loops, MeterRegistry registry) {
    int i = 0;
    for (EventExecutor loop : loops) {
      Probe p = new Probe(loop);
      probes.add(p);
      Gauge.builder("keel_event_loop_lag_seconds", p, q -> q.lagNanos / 1e9).tag("loop", Integer.toString(i++))
          .description("How late a task scheduled on this event loop ran (sampled every 100 ms)")
          .baseUnit("seconds").register(registry);
      p.arm();
    }
  }

  /** The largest lag over all loops, in milliseconds. */
  double maxLagMillis() {
    long max = 0;
    for (Probe p : probes) {
      max = Math.max(max, p.lagNanos);
    }
    return max / 1e6;
  }

  @Override
  public void close() {
    for (Probe p : probes) {
      p.stop();
    }
  }

  private static final class Probe implements Runnable {
    private final EventExecutor loop;
    private volatile long lagNanos;
    private volatile boolean stopped;
    private long due;
    private ScheduledFuture<?> next;

    Probe(EventExecutor loop) {
      this.loop = loop;
    }

    void arm() {
      try {
        loop.execute(this::schedule);
      } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
        stopped = true;
      }
    }

    private void schedule() {
      if (stopped) {
        return;
      }
      due = loop.ticker().nanoTime() + TimeUnit.MILLISECONDS.toNanos(PERIOD_MS);
      next = loop.schedule(this, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void run() {
      lagNanos = Math.max(0, loop.ticker().nanoTime() - due);
      schedule();
    }

    void stop() {
      stopped = true;
      try {
        loop.execute(() -> {
          if (next != null) {
            next.cancel(false);
          }
        });
      } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
        // the loop is gone, and its tasks with it
      }
    }
  }
}
