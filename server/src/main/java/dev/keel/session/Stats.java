package dev.keel.session;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Server-wide counters. Each is a {@link LongAdder}: an uncontended increment on the hot path, no
 * lock, no allocation. The observability layer reads them; tests use them to prove bounds hold.
 */
public final class Stats {
  public final LongAdder connectionsOpened = new LongAdder();
  public final LongAdder messagesReceived = new LongAdder();
  public final LongAdder messagesPublished = new LongAdder();
  public final LongAdder messagesDelivered = new LongAdder();
  public final LongAdder messagesDropped = new LongAdder();
  public final LongAdder rateLimited = new LongAdder();
  /** Bytes queued in user space over all connections (rises on enqueue, falls on write or release). */
  public final LongAdder queuedBytes = new LongAdder();
  private final Map<CloseReason, LongAdder> closed = new EnumMap<>(CloseReason.class);

  public Stats() {
    for (CloseReason r : CloseReason.values()) {
      closed.put(r, new LongAdder());
    }
  }

  public void closed(CloseReason reason) {
    closed.get(reason).increment();
  }

  public long closedCount(CloseReason reason) {
    return closed.get(reason).sum();
  }
}
