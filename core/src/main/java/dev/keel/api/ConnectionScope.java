package dev.keel.api;

import io.netty.channel.EventLoop;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/**
 * A connection's {@link Scope}: the forked tasks and timers it has not finished, cancelled together
 * when the connection ends. Thread-safe; {@link #cancel()} runs on the connection's event loop (or,
 * for a scope first asked for as its connection ended, on the asking thread, when it holds nothing
 * yet) and never blocks (interrupting a thread does not wait for it).
 */
final class ConnectionScope implements Scope {
  private final long connectionId;
  private final EventLoop loop;
  private final Live live;
  // Made on first use: an idle connection whose handler never forks or schedules pays for neither.
  private volatile Set<FutureTask<?>> tasks;
  private volatile Set<Future<?>> timers;
  private volatile boolean cancelled;
  private static final VarHandle CANCELLED;

  static {
    try {
      CANCELLED = MethodHandles.lookup().findVarHandle(ConnectionScope.class, "cancelled", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

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
    tasks().add(f);
    try {
      live.start("keel-fork-" + connectionId, () -> {
        try {
          f.run();
        } finally {
          tasks().remove(f);
        }
      });
    } catch (RuntimeException e) {
      tasks().remove(f);
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
        timers().remove(me);
      }
      if (!cancelled) {
        fork(task);
      }
    }, Math.max(1, delay.toNanos()), TimeUnit.NANOSECONDS);
    self[0] = timer;
    timers().add(timer);
    if (timer.isDone()) {
      timers().remove(timer);
    }
    if (cancelled) {
      timer.cancel(false);
      timers().remove(timer);
    }
    return timer;
  }

  @Override
  public boolean isCancelled() {
    return cancelled;
  }

  private Set<FutureTask<?>> tasks() {
    Set<FutureTask<?>> t = tasks;
    if (t == null) {
      synchronized (this) {
        t = tasks;
        if (t == null) {
          t = ConcurrentHashMap.newKeySet();
          tasks = t;
        }
      }
    }
    return t;
  }

  private Set<Future<?>> timers() {
    Set<Future<?>> t = timers;
    if (t == null) {
      synchronized (this) {
        t = timers;
        if (t == null) {
          t = ConcurrentHashMap.newKeySet();
          timers = t;
        }
      }
    }
    return t;
  }

  /**
   * The connection ended: interrupts running forks, prevents the rest, cancels timers. Once, even when
   * the loop and a handler's first {@code scope()} both call it as the connection ends.
   */
  void cancel() {
    if (cancelled || !CANCELLED.compareAndSet(this, false, true)) {
      return;
    }
    live.scopes.decrementAndGet();
    // A fork or timer added concurrently sees `cancelled` after adding and cancels itself.
    Set<Future<?>> ts = timers;
    if (ts != null) {
      for (Future<?> t : ts) {
        t.cancel(false);
      }
      ts.clear();
    }
    Set<FutureTask<?>> fs = tasks;
    if (fs != null) {
      for (FutureTask<?> f : fs) {
        f.cancel(true);
      }
    }
  }

  /** Forked tasks not yet finished (for diagnostics). */
  int activeTasks() {
    Set<FutureTask<?>> fs = tasks;
    return fs == null ? 0 : fs.size();
  }
}
