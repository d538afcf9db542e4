package dev.keel.session;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The connection layer's counters, server-wide. Each is a {@link LongAdder}: an uncontended increment
 * on the hot path, no lock, no allocation. Exporters read them at scrape time; tests read them to
 * prove that bounds hold.
 */
public final class SessionCounters {
  /** Counters kept per transport ({@code ws}, {@code tcp}). */
  public static final class Transport {
    private final String name;
    final LongAdder opened = new LongAdder();
    /** Established connections now (opened minus ended). */
    final LongAdder live = new LongAdder();
    final LongAdder received = new LongAdder();
    private final Map<CloseCause, LongAdder> closed = new EnumMap<>(CloseCause.class);

    Transport(String name) {
      this.name = name;
      for (CloseCause r : CloseCause.values()) {
        closed.put(r, new LongAdder());
      }
    }

    public String name() {
      return name;
    }

    /** Counts a connection that ended, or was refused before it began, for {@code cause}. */
    public void closed(CloseCause cause) {
      closed.get(cause).increment();
    }

    public long closedCount(CloseCause cause) {
      return closed.get(cause).sum();
    }

    /** Connections ended with any cause whose label is {@code label}. */
    public long closedWithLabel(String label) {
      long n = 0;
      for (Map.Entry<CloseCause, LongAdder> e : closed.entrySet()) {
        if (e.getKey().label().equals(label)) {
          n += e.getValue().sum();
        }
      }
      return n;
    }

    public long opened() {
      return opened.sum();
    }

    public long live() {
      return live.sum();
    }

    public long received() {
      return received.sum();
    }
  }

  public final Transport ws = new Transport("ws");
  public final Transport tcp = new Transport("tcp");
  final LongAdder messagesDropped = new LongAdder();
  final LongAdder rateLimited = new LongAdder();
  /** Bytes queued in user space over all connections (rises on enqueue, falls on write or release). */
  final LongAdder queuedBytes = new LongAdder();

  public Transport transport(String name) {
    return "tcp".equals(name) ? tcp : ws;
  }

  public List<Transport> transports() {
    return List.of(ws, tcp);
  }

  public long connectionsOpened() {
    return ws.opened() + tcp.opened();
  }

  public long messagesReceived() {
    return ws.received() + tcp.received();
  }

  public long closedCount(CloseCause cause) {
    return ws.closedCount(cause) + tcp.closedCount(cause);
  }

  public long messagesDropped() {
    return messagesDropped.sum();
  }

  /** One HTTP request refused for its rate (the connection's or its address's). */
  public void httpRateLimited() {
    rateLimited.increment();
  }

  public long rateLimited() {
    return rateLimited.sum();
  }

  public long queuedBytes() {
    return queuedBytes.sum();
  }
}
