package dev.keel.fanout;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/** Adds up the per-loop counts of one publish and reports the total when the last loop is done. */
final class Tally {
  private final AtomicInteger remaining;
  private final AtomicInteger queued = new AtomicInteger();
  private final IntConsumer onQueued;

  Tally(int partitions, IntConsumer onQueued) {
    this.remaining = new AtomicInteger(partitions);
    this.onQueued = onQueued;
  }

  void partitionDone(int n) {
    queued.addAndGet(n);
    if (remaining.decrementAndGet() == 0) {
      onQueued.accept(queued.get());
    }
  }
}
