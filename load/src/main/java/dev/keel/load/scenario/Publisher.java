package dev.keel.load.scenario;

import dev.keel.load.client.Conn;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes to one topic at a fixed rate from its connection's event loop. Each message carries the
 * time it was due by the schedule ({@code "due"}, nanoTime), so a publisher that falls behind shows
 * as latency, not as fewer samples (coordinated omission). When the connection is not writable it
 * waits, and the backlog it owes is bounded: beyond {@link #MAX_BACKLOG_SECONDS} of it the run fails.
 *
 * <p>Usage: {@code Publisher p = new Publisher(run, conn, "load", 512); p.start(1000); ... p.stop();}
 */
final class Publisher {
  static final long TICK_MICROS = 1000;
  static final double MAX_BACKLOG_SECONDS = 5;
  static final long APPLY_TIMEOUT_SECONDS = 10;

  private final Run run;
  private final Conn conn;
  private final String prefix;
  private final String suffix;
  private ScheduledFuture<?> task;
  private long startNanos;
  private long published;
  private double ratePerSecond;
  private volatile long total;
  private volatile boolean fellBehind;

  /** {@code size} is the length of the {@code data} value in bytes (at least the stamp's). */
  Publisher(Run run, Conn conn, String topic, int size) {
    this.run = run;
    this.conn = conn;
    this.prefix = "{\"op\":\"pub\",\"topic\":\"" + topic + "\",\"data\":{\"due\":";
    // data = {"due":-9223372036854775808,"p":"xxx"}: pad to the requested size (the stamp is up to 20 digits).
    int pad = Math.max(0, size - "{\"due\":,\"p\":\"\"}".length() - 20);
    this.suffix = ",\"p\":\"" + "x".repeat(pad) + "\"}}";
  }

  /**
   * (Re)starts at {@code ratePerSecond}, counting from now; 0 stops. Safe from any thread. Returns once
   * the event loop has applied it, so after {@code start(0)} no further message is sent and
   * {@link #total()} is final: a phase's count must not gain a straggler that the next phase receives.
   */
  void start(double ratePerSecond) throws InterruptedException {
    Runnable apply = () -> {
      if (task != null) {
        task.cancel(false);
      }
      this.ratePerSecond = ratePerSecond;
      this.startNanos = System.nanoTime();
      this.published = 0;
      if (ratePerSecond > 0) {
        task = conn.channel().eventLoop().scheduleAtFixedRate(this::tick, 0, TICK_MICROS, TimeUnit.MICROSECONDS);
      }
    };
    EventLoop loop = conn.channel().eventLoop();
    if (loop.inEventLoop()) {
      apply.run();
      return;
    }
    try {
      // A bounded wait for one short task; a loop that cannot run it in time is stuck, and says so.
      loop.submit(apply).get(APPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (RejectedExecutionException e) {
      // The loop is shutting down: its scheduled ticks die with it, so nothing is left to stop.
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("publisher's event loop did not apply rate " + ratePerSecond, e);
    }
  }

  /** Stops sending; on return {@link #total()} counts every message this publisher will send. */
  void stop() throws InterruptedException {
    start(0);
  }

  /** Messages sent so far, over all starts. */
  long total() {
    return total;
  }

  boolean fellBehind() {
    return fellBehind;
  }

  private void tick() {
    if (!conn.isOpen()) {
      task.cancel(false);
      return;
    }
    long now = System.nanoTime();
    double interval = 1e9 / ratePerSecond;
    long due = (long) ((now - startNanos) / interval) + 1;
    if ((due - published) > ratePerSecond * MAX_BACKLOG_SECONDS) {
      fellBehind = true;
    }
    while (published < due && conn.isWritable()) {
      long dueAt = startNanos + (long) (published * interval);
      conn.send(prefix + dueAt + suffix);
      published++;
      total++;
      run.sent.increment();
    }
  }
}
