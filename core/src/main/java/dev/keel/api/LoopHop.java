package dev.keel.api;

import io.netty.channel.EventLoop;
import io.netty.util.internal.ThreadExecutorMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * How the API's calls reach a connection's event loop, where its session lives: a task on that loop,
 * run inline when already there. A call that waits for the result waits for the loop, never for the
 * peer, and is refused from another event loop (waiting there would stall every connection it serves).
 */
final class LoopHop {
  private LoopHop() {}

  /** Runs {@code task} on {@code loop} without waiting; false if the loop has stopped. */
  static boolean run(EventLoop loop, Runnable task) {
    if (loop.inEventLoop()) {
      task.run();
      return true;
    }
    try {
      loop.execute(task);
      return true;
    } catch (RejectedExecutionException stopped) {
      return false;
    }
  }

  /**
   * Runs {@code task} on {@code loop} and waits for its result: a hop, not a wait on the peer. Called
   * from virtual threads and application threads (or inline on the loop itself).
   *
   * @param ifStopped the answer when the loop has stopped
   * @param who names the caller in the error raised on another event loop
   */
  static <T> T call(EventLoop loop, Supplier<T> task, T ifStopped, Object who) {
    if (loop.inEventLoop()) {
      return task.get();
    }
    if (ThreadExecutorMap.currentExecutor() != null) {
      throw new IllegalStateException(who + ": Connection and Topics calls wait for the connection's"
          + " event loop; make them from a handler, a scope task or an application thread, not from"
          + " an event loop (e.g. use thenAcceptAsync on a publish future)");
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      loop.execute(() -> {
        try {
          result.complete(task.get());
        } catch (RuntimeException e) {
          result.completeExceptionally(e);
        }
      });
    } catch (RejectedExecutionException stopped) {
      return ifStopped;
    }
    return result.join();
  }
}
