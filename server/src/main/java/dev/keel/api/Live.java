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

  /** Starts a virtual thread counted in {@link #threads}. */
  Thread start(String name, Runnable body) {
    threads.incrementAndGet();
    try {
      return Thread.ofVirtual().name(name).start(() -> {
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
