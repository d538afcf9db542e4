package dev.keel.session;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntConsumer;

/**
 * Server-wide counters. Each is a {@link LongAdder}: an uncontended increment on the hot path, no
 * lock, no allocation. The metrics registry reads them at scrape time (function counters and
 * gauges); tests read them to prove that bounds hold.
 */
public final class Stats {
  /** Counters kept per transport ({@code ws}, {@code tcp}). */
  public static final class TransportStats {
    private final String name;
    public final LongAdder opened = new LongAdder();
    /** Established connections now (opened minus ended). */
    public final LongAdder live = new LongAdder();
    public final LongAdder received = new LongAdder();
    private final Map<CloseReason, LongAdder> closed = new EnumMap<>(CloseReason.class);

    TransportStats(String name) {
      this.name = name;
      for (CloseReason r : CloseReason.values()) {
        closed.put(r, new LongAdder());
      }
    }

    public String name() {
      return name;
    }

    public void closed(CloseReason reason) {
      closed.get(reason).increment();
    }

    public long closedCount(CloseReason reason) {
      return closed.get(reason).sum();
    }
  }

  public final TransportStats ws = new TransportStats("ws");
  public final TransportStats tcp = new TransportStats("tcp");
  public final LongAdder messagesPublished = new LongAdder();
  public final LongAdder messagesDelivered = new LongAdder();
  public final LongAdder messagesDropped = new LongAdder();
  public final LongAdder rateLimited = new LongAdder();
  /** Bytes queued in user space over all connections (rises on enqueue, falls on write or release). */
  public final LongAdder queuedBytes = new LongAdder();
  /** Told the number of subscribers of each publish (the metrics layer installs a distribution). */
  private volatile IntConsumer fanOut = n -> { };

  public TransportStats transport(String name) {
    return "tcp".equals(name) ? tcp : ws;
  }

  public long connectionsOpened() {
    return ws.opened.sum() + tcp.opened.sum();
  }

  public long messagesReceived() {
    return ws.received.sum() + tcp.received.sum();
  }

  public long closedCount(CloseReason reason) {
    return ws.closedCount(reason) + tcp.closedCount(reason);
  }

  public void fanOutRecorder(IntConsumer recorder) {
    fanOut = recorder;
  }

  /** Called once per publish with the number of subscribers it went to. */
  public void recordFanOut(int subscribers) {
    fanOut.accept(subscribers);
  }
}
