package dev.keel.api;

import java.util.concurrent.atomic.AtomicInteger;

/** What the embedding layer holds right now, server-wide: the leak checks read these. */
final class Live {
  /** Connections whose onClose has not finished. */
  final AtomicInteger connections = new AtomicInteger();
  /** Scopes not yet cancelled. */
  final AtomicInteger scopes = new AtomicInteger();
  /** Virtual threads started by Keel (handler runners and forked tasks) that have not finished. */
  final AtomicInteger threads = new AtomicInteger();
  private volatile HandlerBridge.Spawner spawner = HandlerBridge.VIRTUAL_THREADS;

  /** Where runners start from now on; returns this. */
  Live spawner(HandlerBridge.Spawner s) {
    spawner = s;
    return this;
  }

  /** Starts a runner (a virtual thread, in a server) counted in {@link #threads}. */
  void start(String name, Runnable body) {
    threads.incrementAndGet();
    try {
      spawner.start(name, () -> {
        try {
          body.run();
        } finally {
          threads.decrementAndGet();
        }
      });
    } catch (RuntimeException | Error e) {
      threads.decrementAndGet();
      throw e;
    }
  }
}
