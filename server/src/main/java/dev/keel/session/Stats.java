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
  /** Cluster mode: messages Redis delivered to this node (each fanned out once, locally). */
  public final LongAdder redisReceived = new LongAdder();
  /** Cluster mode: publishes refused because Redis was down or too many were in flight. */
  public final LongAdder redisRefused = new LongAdder();
  /** Cluster mode: 1 while connected to Redis and subscribed, 0 while not; -1 when running alone. */
  public volatile int redisUp = -1;
  /** Told each publish's round trip to Redis, in nanoseconds (the metrics layer installs a timer). */
  private volatile java.util.function.LongConsumer redisLatency = n -> { };
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

  public void redisLatencyRecorder(java.util.function.LongConsumer recorder) {
    redisLatency = recorder;
  }

  public void recordRedisLatency(long nanos) {
    redisLatency.accept(nanos);
  }

  /** Called once per publish with the number of subscribers it went to. */
  public void recordFanOut(int subscribers) {
    fanOut.accept(subscribers);
  }
}
