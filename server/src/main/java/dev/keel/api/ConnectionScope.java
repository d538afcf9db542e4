package dev.keel.api;

import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/**
 * A connection's {@link Scope}: the forked tasks and timers it has not finished, cancelled together
 * when the connection ends. Thread-safe; {@link #cancel()} runs on the connection's event loop and
 * never blocks (interrupting a thread does not wait for it).
 */
final class ConnectionScope implements Scope {
  private final long connectionId;
  private final EventLoop loop;
  private final Live live;
  private final Set<FutureTask<?>> tasks = ConcurrentHashMap.newKeySet();
  private final Set<Future<?>> timers = ConcurrentHashMap.newKeySet();
  private volatile boolean cancelled;

  ConnectionScope(long connectionId, EventLoop loop, Live live) {
    this.connectionId = connectionId;
    this.loop = loop;
    this.live = live;
    live.scopes.incrementAndGet();
  }

  @Override
  public <T> Future<T> fork(Callable<T> task) {
    return start(new FutureTask<>(task));
  }

  @Override
  public Future<?> fork(Runnable task) {
    return start(new FutureTask<>(task, null));
  }

  private <T> Future<T> start(FutureTask<T> f) {
    if (cancelled) {
      f.cancel(false);
      return f;
    }
    tasks.add(f);
    try {
      live.start("keel-fork-" + connectionId, () -> {
        try {
          f.run();
        } finally {
          tasks.remove(f);
        }
      });
    } catch (RuntimeException e) {
      tasks.remove(f);
      throw e;
    }
    if (cancelled) {
      f.cancel(true); // raced with cancel(), which may have missed it
    }
    return f;
  }

  @Override
  public Future<?> schedule(Duration delay, Runnable task) {
    if (cancelled) {
      FutureTask<?> f = new FutureTask<>(task, null);
      f.cancel(false);
      return f;
    }
    Future<?>[] self = new Future<?>[1];
    Future<?> timer = loop.schedule(() -> {
      Future<?> me = self[0];
      if (me != null) { // null only if it fired before schedule() returned: removed below then
        timers.remove(me);
      }
      if (!cancelled) {
        fork(task);
      }
    }, Math.max(1, delay.toNanos()), TimeUnit.NANOSECONDS);
    self[0] = timer;
    timers.add(timer);
    if (timer.isDone()) {
      timers.remove(timer);
    }
    if (cancelled) {
      timer.cancel(false);
      timers.remove(timer);
    }
    return timer;
  }

  @Override
  public boolean isCancelled() {
    return cancelled;
  }

  /** The connection ended: interrupts running forks, prevents the rest, cancels timers. Once. */
  void cancel() {
    if (cancelled) {
      return;
    }
    cancelled = true;
    live.scopes.decrementAndGet();
    for (Future<?> t : timers) {
      t.cancel(false);
    }
    timers.clear();
    for (FutureTask<?> f : tasks) {
      f.cancel(true);
    }
  }

  /** Forked tasks not yet finished (for diagnostics). */
  int activeTasks() {
    return tasks.size();
  }
}
