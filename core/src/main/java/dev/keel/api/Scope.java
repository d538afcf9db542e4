package dev.keel.api;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;

/**
 * Work a handler starts on behalf of one connection, and that must not outlive it. When the
 * connection ends, for whatever reason, the scope is cancelled: forked tasks that are running are
 * interrupted, those not started never run, and scheduled tasks that have not fired are cancelled.
 * Forking or scheduling on a cancelled scope returns an already-cancelled future.
 *
 * <p>Usage: {@code conn.scope().schedule(Duration.ofSeconds(30), () -> conn.send("still there?"))}
 */
public interface Scope {
  /** Runs {@code task} on a new virtual thread owned by this scope. */
  <T> Future<T> fork(Callable<T> task);

  /** Runs {@code task} on a new virtual thread owned by this scope. */
  Future<?> fork(Runnable task);

  /**
   * Forks {@code task} after {@code delay}. The timer is a task on the connection's event loop; the
   * work itself runs on a virtual thread. Cancelling the returned future cancels the timer.
   */
  Future<?> schedule(Duration delay, Runnable task);

  /** Whether the connection has ended. */
  boolean isCancelled();
}
