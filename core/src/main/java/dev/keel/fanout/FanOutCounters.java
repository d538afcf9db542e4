package dev.keel.fanout;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntConsumer;

/** The fan-out's counters: lock-free adders read at scrape time, and one optional push recorder. */
public final class FanOutCounters {
  final LongAdder published = new LongAdder();
  final LongAdder delivered = new LongAdder();
  /** Told the number of subscribers of each publish (an exporter installs a distribution). */
  private volatile IntConsumer fanOut = n -> { };

  public long published() {
    return published.sum();
  }

  /** Messages queued to a subscriber connection. */
  public long delivered() {
    return delivered.sum();
  }

  public void fanOutRecorder(IntConsumer recorder) {
    fanOut = recorder;
  }

  void recordFanOut(int subscribers) {
    fanOut.accept(subscribers);
  }
}
